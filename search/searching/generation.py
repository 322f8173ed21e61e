"""One generation of the index, opened for searching: its searcher, matcher and columns.

``open_generation`` checks the format before anything is unpickled, opens the Whoosh index,
reads the facet columns and starts a thread that reads the term table (for prefixes), the
stems (for spelling) and the checksums of the files. ``diagnose`` tells a damaged file from a
bug when a search fails.
"""

from __future__ import annotations

import gc
import logging
import pickle
import struct
import threading
import warnings
import zlib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from search.errors import IndexCorrupt, NewsdexError
from search.indexing.generations import CURRENT, HeldGeneration, IndexDir
from search.indexing.index_format import check_format, verify_files
from search.indexing.manifest import load_build_info
from search.indexing.schema import INDEX_NAME
from search.ingest.topics import Taxonomy
from search.searching import spelling
from search.searching.facets import FacetColumns
from search.searching.grouping import ClusterColumn
from search.searching.matching import Matcher
from search.searching.query import TEXT_FIELDS, Vocabulary
from search.searching.scored_postings import WEIGHTING
from search.searching.term_table import TermTable

log = logging.getLogger("newsdex.engine")

PREFIX_WAIT = 0.2
"""How long a prefix query waits for the term table that a new generation reads first..."""
PREFIX_SCAN = 200
"""...before it makes do with this many terms of each field, read directly."""
READ_ERRORS = (OSError, EOFError, zlib.error, struct.error, pickle.UnpicklingError)
"""What Whoosh raises when the bytes of a segment are not what it wrote."""


@dataclass
class Generation:
    """Everything open for one live generation."""

    held: HeldGeneration
    ix: Any
    searcher: Any
    matcher: Matcher
    columns: FacetColumns
    vocab: Vocabulary
    clusters: ClusterColumn
    lexicon: spelling.Lexicon | None = None
    """Loaded in the background after opening; two-edit suggestions wait for it."""
    term_table: TermTable | None = None
    """Loaded in the background first thing after opening; prefix queries wait for it."""
    term_table_ready: threading.Event = field(default_factory=threading.Event)
    fault: str | None = None
    """Why the generation cannot be trusted (a file that fails its checksum, a segment that
    cannot be read); ``/healthz`` reports it."""
    closed: bool = False
    roots: tuple[str, ...] = ()
    """The folders and files the build read (resolved), to name its pages by."""
    _span: tuple[date, date] | tuple[()] | None = None
    _stored: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.held.generation.name

    def close(self) -> None:
        self.closed = True
        self.searcher.close()
        self.held.close()

    def stored(self, docnum: int, keep: bool = True) -> dict[str, Any]:
        """A story's stored fields (the last few thousand read are kept, unless ``keep`` is
        false: an export reads every story once)."""
        doc = self._stored.get(docnum)
        if doc is None:
            doc = self.searcher.stored_fields(docnum)
            if keep:
                if len(self._stored) > 2048:
                    self._stored.clear()
                self._stored[docnum] = doc
        return doc

    def topics_of(self, doc: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """A stored story's topic ids, and their labels in this index's taxonomy."""
        topics = tuple(t for t in (doc.get("topics") or "").split(",") if t)
        labels = self.columns.topic_labels
        return topics, tuple(labels.get(topic) or topic for topic in topics)

    def date_span(self) -> tuple[date, date] | None:
        """The first and last day any live story was published on (None: no dated story)."""
        if self._span is None:
            live = self.matcher.live_ids
            dated = self.columns.dated[live]
            days = self.columns.published[live][dated]
            self._span = (_day(int(days.min())), _day(int(days.max()))) if len(days) else ()
        return self._span or None

    def pages_of(self, doc: dict[str, Any]) -> tuple[str, ...]:
        """Where a stored story was seen, each page named without the server's folders."""
        return tuple(page_name(location, self.roots) for location in doc.get("pages") or ())


def _day(value: int) -> date:
    """A day from a published column value (Whoosh's microseconds since 0001-01-01)."""
    return (datetime.min + timedelta(microseconds=value)).date()


def page_name(location: str, roots: tuple[str, ...]) -> str:
    """A page as clients see it: its URL, else its path from the folder the build read
    (``samples/001_northgate-budget.txt``, ``reuters21578/reut2-000.sgm#5``), else its file
    name; never the server's own folders."""
    if "://" in location.split("#", 1)[0] and not location.startswith("file:"):
        return location
    for root in roots:
        base = Path(root)
        try:
            inside = Path(location).relative_to(base.parent)
        except ValueError:
            continue
        if inside.parts and inside.parts[0] == base.name:
            return inside.as_posix()
    return location.replace("\\", "/").rsplit("/", 1)[-1]


def open_generation(held: HeldGeneration) -> Generation:
    path = held.generation.path
    # Before anything is unpickled: an index in another format says "rebuild needed"
    # (IndexFormatError) instead of failing inside Whoosh with a ModuleNotFoundError.
    check_format(path)
    fault = None
    # Whoosh leaves the files it had opened to the garbage collector when opening fails;
    # they are closed here, quietly, with the traceback that holds them.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
            searcher = ix.searcher(weighting=WEIGHTING)
        except NewsdexError:
            raise
        except Exception as err:
            fault = _without_path(f"it cannot be opened: {type(err).__name__}: {err}", held)
        if fault is not None:
            gc.collect()
    if fault is not None:
        log.error("index generation %s %s", held.generation.name, fault)
        raise IndexCorrupt(held.generation.name, fault)
    reader = searcher.reader()
    leaves = [leaf for leaf, _ in reader.leaf_readers()]
    labels = _topic_labels(path)
    matcher = Matcher(searcher)
    columns = FacetColumns(reader, labels, lambda topic: matcher.term("topics", topic)[0])
    gen: Generation

    def expand_prefix(prefix: str, limit: int) -> list[tuple[str, int]]:
        if gen.term_table_ready.wait(PREFIX_WAIT) and gen.term_table is not None:
            return gen.term_table.with_prefix(prefix, limit)
        return _scan_prefix(leaves, prefix, limit)

    matcher.published, matcher.dated = columns.published, columns.dated

    def frequencies(terms: Collection[str]) -> dict[str, int]:
        # The term table answers with a binary search a term; until it is read (the first
        # second after opening), Whoosh's look-ups in the two big fields.
        if gen.term_table_ready.wait(PREFIX_WAIT) and gen.term_table is not None:
            return {term: gen.term_table.frequency(term) for term in terms}
        return {
            t: matcher.doc_frequency("body", t) + matcher.doc_frequency("title", t) for t in terms
        }

    vocab = Vocabulary(
        sources=[s for s in columns.sources if s],
        topics=columns.topics,
        topic_labels=labels,
        expand_prefix=expand_prefix,
        frequencies=frequencies,
    )
    roots = tuple((load_build_info(path) or {}).get("paths") or ())
    clusters = ClusterColumn(reader, matcher.live)
    gen = Generation(held, ix, searcher, matcher, columns, vocab, clusters, roots=roots)
    threading.Thread(target=_warm_up, args=(gen,), name="newsdex-warm", daemon=True).start()
    return gen


def _warm_up(gen: Generation) -> None:
    """With a reader of its own (readers are not shared across threads): read the term table
    for prefixes, then the stems for spelling, then check the generation's files."""
    try:
        with gen.ix.reader() as reader:
            leaves = [leaf for leaf, _ in reader.leaf_readers()]
            try:
                gen.term_table = TermTable.read(leaves, TEXT_FIELDS)
            finally:
                gen.term_table_ready.set()
            stems = [
                term.decode("utf-8")
                for leaf in leaves
                for name in ("title", "body")
                for term in leaf.lexicon(name)
            ]
        gen.lexicon = spelling.Lexicon(stems)
        problems = verify_files(gen.held.generation.path)
        if problems and not gen.closed:  # once closed, its files may rightly be gone
            gen.fault = _without_path("; ".join(problems[:3]), gen.held)
            log.error("index generation %s is damaged: %s", gen.name, gen.fault)
    except Exception:  # closed under us, or damaged: searches find out and report it
        log.debug("warming up %s stopped", gen.name, exc_info=True)


def _scan_prefix(leaves: list[Any], prefix: str, limit: int) -> list[tuple[str, int]]:
    """What ``TermTable.with_prefix`` answers, from the first ``PREFIX_SCAN`` terms of each
    field: for the moments after opening, before the table is read."""
    return TermTable.read(leaves, TEXT_FIELDS, prefix, PREFIX_SCAN).with_prefix(prefix, limit)


def live_name(index: IndexDir) -> str | None:
    try:
        return (index.path / CURRENT).read_text().strip()
    except FileNotFoundError:
        return None


def diagnose(gen: Generation, err: Exception) -> str | None:
    """The fault behind ``err`` when it comes from damaged files, else ``None`` (a bug)."""
    problems = verify_files(gen.held.generation.path)
    if problems:
        return _without_path("; ".join(problems[:3]), gen.held)
    if isinstance(err, READ_ERRORS):
        return _without_path(f"reading it failed: {type(err).__name__}: {err}", gen.held)
    return None


def _without_path(message: str, held: HeldGeneration) -> str:
    """``message`` with the server's paths taken out: clients see the file names only."""
    return message.replace(str(held.generation.path) + "/", "").replace(
        str(held.generation.path), held.generation.name
    )


def _topic_labels(path: Path) -> dict[str, str]:
    info = load_build_info(path) or {}
    try:
        taxonomy = Taxonomy.load(info["taxonomy"]) if info.get("taxonomy") else None
    except Exception:  # the topics file moved since the build: labels are a nicety
        taxonomy = None
    # Names of the topics the input carried (Reuters' codes) first: the taxonomy's own
    # topics keep their labels when an input code has the same id.
    given = info.get("topic_labels")
    labels = {str(k): str(v) for k, v in given.items()} if isinstance(given, dict) else {}
    return labels | (taxonomy or Taxonomy.default()).labels()
