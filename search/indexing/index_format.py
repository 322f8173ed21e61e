"""The on-disk format of a generation: a version number, and checksums of its Whoosh files.

Every generation holds ``format.json``, written last before the generation is published::

    {"format": 2, "newsdex_version": "0.1.0", "whoosh_version": "2.7.4",
     "written_at": "2025-06-01T12:00:00Z",
     "files": {"MAIN_2my6kk7588ptty8j.trm": {"size": 11711483, "blake2b": "9c0f..."}, ...}}

Whatever opens a generation (the engine, ``stats``, ``update``, ``check``) calls
``check_format`` first: a generation without the file (every index written before it existed),
with another number, or with a file that cannot be read raises ``IndexFormatError`` before any
of its pickles is touched, so an old index says "rebuild needed" instead of failing somewhere
inside an unpickling. ``verify_files`` compares the files with their recorded sizes and
checksums (docs/index-format.md).
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import whoosh

from search import __version__
from search.errors import IndexFormatError
from search.indexing.generations import READERS_LOCK
from search.indexing.manifest import BUILD_INFO, MANIFEST
from search.indexing.schema import INDEX_NAME

FORMAT_FILE = "format.json"
FORMAT_VERSION = 7
"""The version this newsdex writes and reads; it covers everything on disk that a reader
depends on: the schema and its pickled names (``search.persisted``), the text analysis (an
index holds analysed terms: a query analysed differently would miss them), the segment layout
(``BulkCodec``) and the manifest's tables. Change any of them and this number goes up; the
test of ``tests/test_index_format.py`` that hashes the analysis and the schema fails until it
does.

1: indexes written before this file existed (a pickled manifest, classes pickled under their
implementation modules); 2: this file, the SQLite manifest, classes under ``search.persisted``;
3: the analysis keeps compounds (``G-7``, ``AT&T``: every part, stop words and single letters
too), every number, and NFKC-normalises and case folds words (issue 14);
4: the stored ``url``, ``versions`` and ``version_ids`` of a story, and each story's URL in the
manifest's pages (an update folds teasers into articles by it);
5: the larger stop list and the title's field boost 1 (the ranking part of issue 14);
6: the stored ``topic_reasons`` of a story (issue 11: learned topics, explained), and story
fingerprints in two parts (content, then topics) so an update can count relabelled stories;
7: the ``cluster`` of a story (stored and indexed), its ``cluster_key`` column and ``wire``.
"""

NOT_WHOOSH = frozenset({FORMAT_FILE, MANIFEST, BUILD_INFO, READERS_LOCK, f"{INDEX_NAME}_WRITELOCK"})
"""newsdex's own files in a generation; every other file is Whoosh's and is checksummed."""

_CHUNK = 1 << 20


def read_format(path: Path) -> dict[str, Any]:
    """The format record of the generation at ``path``, whatever its version.

    :raises IndexFormatError: when there is none or it cannot be read.
    """
    try:
        info = json.loads((path / FORMAT_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexFormatError(str(path), "1 (no format.json)", FORMAT_VERSION) from None
    except (OSError, ValueError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        found = f"unknown ({FORMAT_FILE}: {reason})"
        raise IndexFormatError(str(path), found, FORMAT_VERSION) from None
    if not isinstance(info, dict) or not isinstance(info.get("files", {}), dict):
        found = f"unknown ({FORMAT_FILE} is not a record)"
        raise IndexFormatError(str(path), found, FORMAT_VERSION)
    return info


def check_format(path: Path) -> dict[str, Any]:
    """The format record of the generation at ``path`` if this newsdex can read it.

    :raises IndexFormatError: for any other version, or none.
    """
    info = read_format(path)
    if info.get("format") != FORMAT_VERSION:
        raise IndexFormatError(str(path), info.get("format"), FORMAT_VERSION)
    return info


def whoosh_files(folder: Path) -> list[Path]:
    """The Whoosh files of a generation folder (everything but newsdex's own files)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name not in NOT_WHOOSH)


def checksum(path: Path) -> str:
    """A file's BLAKE2b digest (16 bytes, hex): about 1 GB/s, and collisions need intent."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def write_format(folder: Path, previous: Path | None = None) -> dict[str, Any]:
    """Write ``format.json`` into a finished generation folder, with a checksum per Whoosh file.

    ``previous``: the generation an update hard-linked its files from; a file that is the same
    inode as there keeps the checksum recorded there instead of being read again.
    """
    known: dict[str, Any] = {}
    if previous is not None:
        try:
            known = read_format(previous).get("files", {})
        except IndexFormatError:
            known = {}
    files = {}
    for path in whoosh_files(folder):
        st = path.stat()
        record = known.get(path.name)
        if record is not None and record.get("size") == st.st_size and _same_file(path, previous):
            files[path.name] = record
        else:
            files[path.name] = {"size": st.st_size, "blake2b": checksum(path)}
    info = {
        "format": FORMAT_VERSION,
        "newsdex_version": __version__,
        "whoosh_version": ".".join(map(str, whoosh.__version__)),
        "written_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files": files,
    }
    tmp = folder / (FORMAT_FILE + ".tmp")
    tmp.write_text(json.dumps(info, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, folder / FORMAT_FILE)
    return info


def _same_file(path: Path, previous: Path | None) -> bool:
    if previous is None:
        return False
    try:
        return os.path.samefile(path, previous / path.name)
    except OSError:
        return False


def verify_files(generation_path: Path) -> list[str]:
    """What is wrong with the generation's files against its ``format.json`` (empty: sound).

    Each problem names the file: missing, a size or a checksum that differs from the one
    recorded at publish time, or a Whoosh file that was never recorded. Reads every byte
    (about 0.1 s for a 50 MB index); safe to run in a thread beside searches.
    """
    path = Path(generation_path)
    try:
        info = check_format(path)
    except IndexFormatError as err:
        return [str(err)]
    problems = []
    recorded = info.get("files", {})
    for name, record in sorted(recorded.items()):
        file = path / name
        try:
            size = file.stat().st_size
        except FileNotFoundError:
            problems.append(f"{name}: missing")
            continue
        except OSError as err:
            problems.append(f"{name}: cannot be read ({err.strerror})")
            continue
        if size != record.get("size"):
            problems.append(f"{name}: {size:,} bytes, {record.get('size'):,} when written")
            continue
        try:
            digest = checksum(file)
        except OSError as err:
            problems.append(f"{name}: cannot be read ({err.strerror})")
            continue
        if digest != record.get("blake2b"):
            problems.append(f"{name}: checksum differs from the one recorded when written")
    try:
        extra = [p.name for p in whoosh_files(path) if p.name not in recorded]
    except OSError as err:
        extra = []
        problems.append(f"{path.name}: cannot be listed ({err.strerror})")
    problems.extend(f"{name}: not part of the generation as written" for name in extra)
    return problems
