"""``check_index``: read a generation end to end and say what, if anything, is damaged.

What ``newsdex check`` runs. In order: the format record (``index_format.check_format``; an
index in another format is not read any further), the size and checksum of every Whoosh
file, the table of contents, then every segment: each document's stored fields, each term's
posting list (every block's ids and values), each column and each field-length column; and
the counts against each other (a term's postings and its document frequency, the live
documents and the manifest's fingerprints). Nothing is written.
"""

from __future__ import annotations

import fcntl
import gc
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from search.errors import IndexFormatError, IndexMissing
from search.indexing.generations import READERS_LOCK, Generation, IndexDir, reading
from search.indexing.index_format import check_format, verify_files, whoosh_files
from search.indexing.manifest import count_fingerprints, integrity_problems
from search.indexing.schema import INDEX_NAME
from search.indexing.whoosh_private.postings import count_postings

_PROBLEMS_PER_SEGMENT = 20
"""A segment that is badly damaged fails the same way everywhere: say it this many times."""


@dataclass(slots=True)
class CheckReport:
    """What ``check_index`` found; ``problems`` is empty when the generation is sound."""

    index: str
    generation: str
    problems: list[str] = field(default_factory=list)
    format: int | None = None
    files: int = 0
    bytes: int = 0
    segments: int = 0
    stories: int = 0
    documents: int = 0
    """Documents in the segments, deleted ones included."""
    terms: int = 0
    postings: int = 0
    seconds: float = 0.0

    @property
    def sound(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        """The findings as ``newsdex check --json`` prints them."""
        return {
            "index": self.index,
            "generation": self.generation,
            "sound": self.sound,
            "problems": self.problems,
            "format": self.format,
            "files": self.files,
            "bytes": self.bytes,
            "segments": self.segments,
            "stories": self.stories,
            "documents": self.documents,
            "terms": self.terms,
            "postings": self.postings,
            "seconds": round(self.seconds, 3),
        }


def check_index(index_dir: Path, generation: str | None = None) -> CheckReport:
    """Check the live generation of ``index_dir`` (or the one named), held against deletion
    while it is read.

    :raises IndexMissing: when there is no index, or no generation of that name.
    """
    start = time.monotonic()
    index = IndexDir(index_dir)
    with _held(index, generation) as gen:
        report = CheckReport(str(index_dir), gen.name)
        _check(gen.path, report)
    report.seconds = time.monotonic() - start
    return report


@contextmanager
def _held(index: IndexDir, name: str | None) -> Iterator[Generation]:
    if name is None:
        with reading(index) as gen:
            yield gen
        return
    gen = Generation(name, index.path / name)
    if name not in {g.name for g in index.generations()}:
        raise IndexMissing(f"{index.path} has no generation {name!r}")
    with open(gen.path / READERS_LOCK) as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)
        yield gen


def _check(path: Path, report: CheckReport) -> None:
    try:
        info = check_format(path)
    except IndexFormatError as err:
        report.problems.append(str(err))
        return
    report.format = info["format"]
    files = whoosh_files(path)
    report.files = len(files)
    report.bytes = sum(p.stat().st_size for p in files)
    report.problems.extend(verify_files(path))
    report.problems.extend(integrity_problems(path))
    reader, failure = _open_reader(path)
    if reader is None:
        report.problems.append(f"the index cannot be opened: {failure}")
        return
    try:
        leaves = reader.leaf_readers()
        report.segments = len(leaves)
        live = 0
        for leaf, _ in leaves:
            name = _segment_name(leaf)
            problems: list[str] = []
            try:
                _check_segment(leaf, report, _limited(problems, name))
            except _TooMany:
                problems.append(f"{name}: more problems not listed")
            report.problems.extend(problems)
            live += leaf.doc_count()
        report.stories = reader.doc_count()
        if live != report.stories:
            report.problems.append(
                f"the segments hold {live:,} live stories, the index says {report.stories:,}"
            )
    finally:
        reader.close()
    try:
        recorded = count_fingerprints(path)
    except Exception:  # integrity_problems has said why
        return
    if recorded != report.stories:
        report.problems.append(
            f"the manifest records {recorded:,} stories, the index holds {report.stories:,}"
        )


def _open_reader(path: Path) -> tuple[Any, str | None]:
    """A reader of the generation, or ``None`` and why it cannot be opened."""
    with warnings.catch_warnings():
        # Whoosh leaves the files of a reader it failed to build open for the garbage
        # collector; closing them is not what the person running check needs to hear about.
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return whoosh_index.open_dir(str(path), indexname=INDEX_NAME).reader(), None
        except Exception as err:  # any failure to open is the finding
            failure = _say(err)
        gc.collect()
    return None, failure


class _TooMany(Exception):
    pass


def _limited(problems: list[str], segment: str) -> Callable[[str], None]:
    def add(problem: str) -> None:
        if len(problems) >= _PROBLEMS_PER_SEGMENT:
            raise _TooMany
        problems.append(f"{segment}: {problem}")

    return add


def _check_segment(leaf: Any, report: CheckReport, problem: Callable[[str], None]) -> None:
    count = leaf.doc_count_all()
    report.documents += count
    schema = leaf.schema
    try:
        for docnum in range(count):
            fields = leaf.stored_fields(docnum)
            if not leaf.is_deleted(docnum) and (not isinstance(fields, dict) or "id" not in fields):
                problem(f"document {docnum} has no stored id")
    except Exception as err:
        problem(f"stored fields cannot be read: {_say(err)}")
    for fieldname in schema.names():
        fieldtype = schema[fieldname]
        if fieldtype.indexed:
            _check_postings(leaf, fieldname, count, report, problem)
        if fieldtype.column_type and leaf.has_column(fieldname):
            try:
                values = list(leaf.column_reader(fieldname))
                if len(values) != count:
                    problem(f"column {fieldname} has {len(values):,} values, not {count:,}")
            except Exception as err:
                problem(f"column {fieldname} cannot be read: {_say(err)}")
        if fieldtype.scorable:
            try:
                for docnum in range(count):
                    leaf.doc_field_length(docnum, fieldname)
            except Exception as err:
                problem(f"field lengths of {fieldname} cannot be read: {_say(err)}")


def _check_postings(
    leaf: Any, fieldname: str, count: int, report: CheckReport, problem: Callable[[str], None]
) -> None:
    """Every posting list of one field: each block's ids (ascending, below ``count``) and
    values, and as many postings as the term's document frequency says."""
    try:
        for term, info in leaf.iter_field(fieldname, b""):  # bytes: no decoding by field type
            report.terms += 1
            try:
                n = count_postings(leaf.postings(fieldname, term), count)
            except Exception as err:
                problem(f"postings of {fieldname}:{term!r} cannot be read: {_say(err)}")
                continue
            report.postings += n
            if n != info.doc_frequency():
                problem(
                    f"{fieldname}:{term!r} has {n:,} postings, its frequency says "
                    f"{info.doc_frequency():,}"
                )
    except Exception as err:
        problem(f"terms of {fieldname} cannot be read: {_say(err)}")


def _segment_name(leaf: Any) -> str:
    segment = getattr(leaf, "segment", None)
    return f"segment {segment().segment_id()}" if callable(segment) else "segment"


def _say(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
