"""Readers: turn one file into ``Page`` records, choosing the format by content and extension.

Each reader module offers ``sniff(path, head) -> bool`` and
``read(path, data, crawled_at) -> ReadResult``; this module reads the bytes (un-gzipping them
when compressed), picks the reader and turns every way a file can fail into a ``SkippedFile``
with a short reason. The text readers (JSON Lines, aggregator pages) get text decoded here; the
Reuters, HTML and feed readers get bytes and decode them by their own rules; WARC and ARC
archives are never loaded whole: ``warc.read`` streams them from the path.

May import: ``search.models``, ``search.errors``, the standard library and parsing libraries;
never the index (``search.indexing``), ``search.ingest`` nor ``search.searching``.
"""

from __future__ import annotations

import os
import re
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from search.errors import SkippedFile
from search.models import Page

EMPTY = "empty"
BINARY = "binary"
UNDECODABLE = "undecodable"
UNRECOGNISED = "unrecognised format"
UNREADABLE = "unreadable"


@dataclass(slots=True)
class ReadResult:
    """The pages of one file, and the problems met inside it that did not stop the reading."""

    pages: list[Page] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """``file:line: reason`` for each part of the file that was left out."""


def decode(data: bytes, path: str) -> str:
    """Bytes to text: UTF-8 (with or without a BOM), else cp1252; line endings made ``\\n``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as err:
            raise SkippedFile(
                path, UNDECODABLE, f"neither UTF-8 nor cp1252: {err.reason} at byte {err.start}"
            ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


_TEXT_BYTES = bytes([9, 10, 12, 13, *range(32, 256)])


def looks_binary(data: bytes) -> bool:
    """True for files that are not text: a NUL byte or mostly control bytes near the start."""
    head = data[:8192]
    if b"\0" in head:
        return True
    controls = len(head.translate(None, _TEXT_BYTES))  # what is left: the control bytes
    return controls > len(head) // 10


def crawl_time(path: Path, crawled_at: datetime | None) -> datetime:
    """The time relative ages are resolved against: the option given, else the file's mtime."""
    if crawled_at is not None:
        return crawled_at
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)


HEAD_BYTES = 65536
"""How much of a file is read to recognise an archive that must be streamed, not loaded."""
MAX_UNZIPPED = 200_000_000
"""A gzip file that would unpack to more than this is skipped (``too large``), not unpacked."""
TOO_LARGE = "too large"
CORRUPT_GZIP = "corrupt gzip"
_GZIP_MAGIC = b"\x1f\x8b"


def read_file(path: Path, crawled_at: datetime | None = None) -> ReadResult:
    """Read one file into pages, or raise ``SkippedFile`` naming the reason.

    WARC and ARC archives are streamed from the path, record by record; any other file is read
    whole (un-gzipped first when it is compressed) and handed to the reader its content picks.
    """
    from search.readers import warc  # here: keeps import light

    spath = str(path)
    try:
        # A FIFO or a device would block or never end: only regular files are opened.
        if not stat.S_ISREG(path.stat().st_mode):
            raise SkippedFile(spath, UNREADABLE, "not a regular file")
        crawled = crawl_time(path, crawled_at)
        with path.open("rb") as f:
            head = f.read(HEAD_BYTES)
            if warc.sniff(path, head):
                f.close()
                return warc.read(path, crawled)
            data = head + f.read()
    except OSError as err:
        raise SkippedFile(spath, UNREADABLE, err.strerror or str(err)) from None
    problems: list[str] = []
    name = path
    if data.startswith(_GZIP_MAGIC):
        data = gunzip(data, spath, problems)
        name = path.with_suffix("") if path.suffix.lower() == ".gz" else path
    if not data.strip():
        raise SkippedFile(spath, EMPTY)
    if looks_binary(data):
        raise SkippedFile(spath, BINARY, _binary_detail(path, data))
    result = _dispatch(path, name, data, crawled)
    result.problems[:0] = problems
    return result


def _dispatch(path: Path, name: Path, data: bytes, crawled: datetime) -> ReadResult:
    """The reader the content picks; ``name`` is the path without a ``.gz`` ending."""
    from search.readers import aggregator, feed, html, jsonl, reuters

    head = data[:4096]
    if reuters.sniff(name, head):
        return reuters.read(path, data, crawled)
    # Feeds before HTML: an RSS item may hold an HTML page in its description.
    if feed.sniff(name, head):
        return feed.read(path, data, crawled)
    if html.sniff(name, head):
        return html.read(path, data, crawled)
    text = decode(data, str(path))
    for reader in (jsonl, aggregator):
        if reader.sniff(name, text):
            return reader.read(path, text, crawled)
    raise SkippedFile(str(path), UNRECOGNISED)


def gunzip(data: bytes, path: str, problems: list[str]) -> bytes:
    """The unpacked bytes of a gzip file; a stream cut off is read as far as it goes and noted.

    Raises ``SkippedFile`` for data that is not gzip after all, or that unpacks too large.
    """
    unpack = zlib.decompressobj(wbits=31)
    try:
        out = unpack.decompress(data, MAX_UNZIPPED + 1)
    except zlib.error as err:
        raise SkippedFile(path, CORRUPT_GZIP, str(err)) from None
    if len(out) > MAX_UNZIPPED:
        raise SkippedFile(path, TOO_LARGE, f"unpacks to more than {MAX_UNZIPPED:,} bytes")
    if not unpack.eof:
        problems.append(
            f"{path}: gzip data cut off after {len(data):,} bytes; "
            f"read the {len(out):,} bytes it unpacks to"
        )
    return out


_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive",
    b"RIFF": "a RIFF (WebP, WAV, AVI) file",
}


def _binary_detail(path: Path, data: bytes) -> str:
    what = next((name for magic, name in _MAGIC.items() if data.startswith(magic)), "")
    if what:
        return f"{what} named {path.suffix or 'without an extension'}"
    return ""


def walk(paths: list[Path]) -> Iterator[Path]:
    """Every file under the given files and folders, recursively, sorted, hidden ones left out.

    Paths are absolute with symbolic links resolved. Anything that is not a folder counts as a
    file, so that a FIFO or a dangling link is reported as unreadable rather than passed over.
    A newsdex index folder (or one of its generations) is not input: it and everything in it
    are left out wherever it sits, whichever index is being built.
    """
    for root in paths:
        if not root.is_dir():
            if os.path.lexists(root):
                yield _resolved(root)
            continue
        # Folders below a resolved root are real ones (os.walk does not follow links to
        # folders), so only a file that is itself a link needs resolving: resolving every
        # path took seconds on a crawl of 30,000 pages.
        for dirpath, dirnames, filenames in os.walk(root.resolve()):
            if is_index_folder(dirpath, dirnames, filenames):
                dirnames[:] = []
                continue
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if not name.startswith("."):
                    path = Path(dirpath, name)
                    yield _resolved(path) if path.is_symlink() else path


_GENERATION = re.compile(r"gen-\d{6}(\.partial)?")


def is_index_folder(path: str, dirnames: list[str], filenames: list[str]) -> bool:
    """Whether a folder with these entries is a newsdex index folder (``CURRENT`` or
    ``writer.lock`` beside ``gen-NNNNNN`` folders) or one of its generations (a
    ``gen-NNNNNN`` folder holding ``readers.lock``); see ``search/generations.py``."""
    if "CURRENT" in filenames or "writer.lock" in filenames:
        if any(_GENERATION.fullmatch(d) for d in dirnames):
            return True
    return "readers.lock" in filenames and bool(_GENERATION.fullmatch(os.path.basename(path)))


def _resolved(path: Path) -> Path:
    # A dangling link keeps its own name, so that the skipped file it becomes can be found.
    return path.resolve() if path.exists() else path.absolute()


def given_topic_labels(files: list[Path]) -> dict[str, str]:
    """Names for the topic codes the input carries, from the files that come with it: the
    category descriptions beside Reuters-21578's SGML files (``reuters.topic_labels``)."""
    from search.readers import reuters

    labels: dict[str, str] = {}
    for folder in sorted({path.parent for path in files if path.suffix == ".sgm"}):
        labels.update(reuters.topic_labels(folder))
    return labels
