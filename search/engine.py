"""``Engine``: the one place a searcher is open. Requests in, plain records out.

An engine follows an index folder: on every call it checks which generation is live and, when
``newsdex build`` has switched to a new one, opens that and lets the old one go (no restart).
Per generation it keeps the searcher, the numpy matcher with its cache of scored posting
lists, and the facet columns; a search then costs set operations over arrays, a few stored
documents for the page of hits, and snippets made from those documents' text.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import pickle
import re
import struct
import threading
import time
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz.distance import OSA as Levenshtein
from whoosh import index as whoosh_index
from whoosh import query as wq

from search import highlight, spelling
from search.analysis import WORD, normalise, terms
from search.budget import Budget
from search.errors import (
    IndexCorrupt,
    IndexFormatError,
    IndexMissing,
    NewsdexError,
    StoryNotFound,
)
from search.facets import FacetColumns
from search.generations import (
    CURRENT,
    HeldGeneration,
    IndexDir,
    hold_current,
    remove_unused_generations,
)
from search.index_format import check_format, verify_files
from search.manifest import load_build_info
from search.matching import Matcher
from search.models import (
    Caption,
    Histogram,
    ParsedQuery,
    SearchRequest,
    SearchResults,
    StoryDetail,
    StoryHit,
    StoryRef,
)
from search.query import (
    FIELD_NAMES,
    TEXT_FIELDS,
    Compiled,
    Vocabulary,
    compile_query,
    positive_terms,
    spelled_terms,
)
from search.query import describe as describe_query
from search.schema import INDEX_NAME
from search.stats import index_stats
from search.term_table import TermTable
from search.topics import Taxonomy

log = logging.getLogger("newsdex.engine")

SIMILAR = 5
KEY_TERMS = 12
SURFACE_STORIES = 5
"""How many stories a spelling candidate's written forms are read from."""
WATCH_SECONDS = 5.0
"""How often an idle engine looks for a newer generation, to let go of the one it holds."""
HEALTH_WAIT = 0.5
"""How long ``/healthz`` waits for a busy engine before it reports on the running search."""
STUCK_SECONDS = 5.0
"""A search running this long means the engine is stuck (budgets keep searches far below)."""
PREFIX_WAIT = 0.2
"""How long a prefix query waits for the term table that a new generation reads first..."""
PREFIX_SCAN = 200
"""...before it makes do with this many terms of each field, read directly."""
_READ_ERRORS = (OSError, EOFError, zlib.error, struct.error, pickle.UnpicklingError)
"""What Whoosh raises when the bytes of a segment are not what it wrote."""


@dataclass
class _Generation:
    """Everything open for one live generation."""

    held: HeldGeneration
    ix: Any
    searcher: Any
    matcher: Matcher
    columns: FacetColumns
    vocab: Vocabulary
    lexicon: spelling.Lexicon | None = None
    """Loaded in the background after opening; two-edit suggestions wait for it."""
    term_table: TermTable | None = None
    """Loaded in the background first thing after opening; prefix queries wait for it."""
    term_table_ready: threading.Event = field(default_factory=threading.Event)
    fault: str | None = None
    """Why the generation cannot be trusted (a file that fails its checksum, a segment that
    cannot be read); ``/healthz`` reports it."""
    stored: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.held.generation.name

    def close(self) -> None:
        self.searcher.close()
        self.held.close()


class Engine:
    """Searches the live generation of the index at ``index_dir``. Safe to share between
    threads (calls take turns); each worker process makes its own."""

    def __init__(self, index_dir: str | Path) -> None:
        self.index = IndexDir(index_dir)
        self._open: _Generation | None = None
        self._lock = threading.RLock()
        self._busy_since: float | None = None
        self._unopenable: IndexCorrupt | None = None
        """Why the live generation could not be opened: not tried again until it changes."""
        self._closed = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def generation(self) -> str:
        with self._lock:
            return self._current().name

    @property
    def story_count(self) -> int:
        with self._lock:
            return self._current().matcher.live_count

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            if self._open is not None:
                self._open.close()
                self._open = None

    def health(self) -> dict[str, Any]:
        """``{"ok": bool, "generation", "stories"}``, or ``ok`` false with an ``error`` that
        says what is wrong: no index, a damaged generation, a search stuck for seconds.

        Never waits long for a busy engine: it then reports on the search that holds it."""
        if not self._lock.acquire(timeout=HEALTH_WAIT):
            since = self._busy_since
            busy = time.monotonic() - since if since is not None else 0.0
            name = self._open.name if self._open is not None else None
            body: dict[str, Any] = {"ok": busy < STUCK_SECONDS, "generation": name}
            body["busy_seconds"] = round(busy, 3)
            if busy >= STUCK_SECONDS:
                body["error"] = f"a search has been running for {busy:.1f} s"
            return body
        try:
            try:
                gen = self._current()
            except IndexMissing:
                return {"ok": False, "error": "no search index has been built yet"}
            except IndexFormatError as err:
                return {
                    "ok": False,
                    "generation": _live_name(self.index),
                    "error": f"the index was written in format {err.found}, this newsdex "
                    f"reads format {err.expected}: rebuild needed",
                }
            except NewsdexError as err:
                return {"ok": False, "generation": _live_name(self.index), "error": str(err)}
            if gen.fault:
                damaged = str(IndexCorrupt(gen.name, gen.fault))
                return {"ok": False, "generation": gen.name, "error": damaged}
            return {"ok": True, "generation": gen.name, "stories": gen.matcher.live_count}
        finally:
            self._lock.release()

    def stats(self) -> dict[str, Any]:
        """What ``newsdex stats --json`` prints."""
        return index_stats(self.index.path)

    # --- search ------------------------------------------------------------------------------

    def search(
        self,
        request: SearchRequest,
        now: datetime | None = None,
        *,
        facets: bool = True,
        snippets: bool = True,
        budget: Budget | None = None,
    ) -> SearchResults:
        """Run one search; ``now`` (naive UTC) anchors relative dates like ``when:7d``.

        ``facets=False`` leaves out facet counts and the histogram, ``snippets=False`` the
        highlighting (benchmarks compare the bare search with the full one). ``budget``
        defaults to ``search.budget.SEARCH_SECONDS`` from now."""
        started = time.perf_counter()
        now = now or datetime.now(UTC).replace(tzinfo=None)
        budget = budget or Budget()
        with self._working() as gen:
            compiled = compile_query(request.q, request.match, gen.vocab, now)
            ids, scores = self._run(gen, compiled, budget)
            low, high = _date_bounds(request, compiled)
            filters = gen.columns.filters(ids, request, low, high)
            keep = filters.all()
            found, found_scores = ids[keep], scores[keep]
            counts = gen.columns.counts(ids, filters, request) if facets else {}
            histogram = gen.columns.histogram(found) if facets else Histogram("month", ())
            page = self._page(gen, request, compiled, found, found_scores)
            query_terms = positive_terms(compiled.query)
            hits = tuple(self._hit(gen, doc, score, query_terms, snippets) for doc, score in page)
            total = len(found)
            # The extras are skipped once the budget is spent: they are worth less than time.
            suggestion = None
            if compiled.words and (total == 0 or self._unknown_word(gen, compiled)):
                if not budget.expired():
                    suggestion = self._suggest(gen, request, compiled, now, budget)
            any_total = None
            if total == 0 and request.match == "all" and len(compiled.words) > 1:
                if not budget.expired():
                    any_total = self._count(gen, replace(request, match="any"), now, budget)
            if budget.cut_short:
                compiled.notices.append(budget.notice())
            parsed = ParsedQuery(
                text=request.q,
                interpreted=_interpreted(compiled, request.q),
                terms=tuple(compiled.words),
                notices=tuple(compiled.notices),
                date_from=compiled.date_from,
                date_to=compiled.date_to,
            )
            name = gen.name
        return SearchResults(
            request=request,
            query=parsed,
            total=total,
            hits=hits,
            facets=counts,
            histogram=histogram,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            suggestion=suggestion,
            any_total=any_total,
            generation=name,
        )

    def _run(
        self, gen: _Generation, compiled: Compiled, budget: Budget
    ) -> tuple[np.ndarray, np.ndarray]:
        if compiled.query is None:
            ids = gen.matcher.live_ids
            return ids, np.zeros(len(ids), dtype=np.float32)
        try:
            return gen.matcher.run(compiled.query, budget)
        except _READ_ERRORS:
            raise  # the index, not the query: _working() reports it
        except Exception:
            # A query shape the matcher cannot run is a bug to fix, so it is logged in full;
            # the reader still gets the stories holding the words.
            log.exception("matcher failed on %r (parsed as %r)", compiled.words, compiled.query)
            compiled.notices.append("Could not run the query as written; searched its words.")
            words = wq.And(
                [
                    wq.Or([wq.Term(f, t) for f in TEXT_FIELDS])
                    for t in {normalise(w) for w in compiled.words} - {None}
                ]
            )
            compiled.query = words
            return gen.matcher.run(words, budget) if compiled.words else _nothing()

    def _count(
        self, gen: _Generation, request: SearchRequest, now: datetime, budget: Budget
    ) -> int:
        compiled = compile_query(request.q, request.match, gen.vocab, now)
        ids, _ = self._run(gen, compiled, budget)
        low, high = _date_bounds(request, compiled)
        return int(gen.columns.filters(ids, request, low, high).all().sum())

    def _page(
        self,
        gen: _Generation,
        request: SearchRequest,
        compiled: Compiled,
        ids: np.ndarray,
        scores: np.ndarray,
    ) -> list[tuple[int, float | None]]:
        start = (request.page - 1) * request.per_page
        stop = start + request.per_page
        if start >= len(ids):
            return []
        by_relevance = request.sort == "relevance" and compiled.query is not None
        if by_relevance:
            # Highest score first; ties newest first, then by document number.
            published = gen.columns.published[ids]
            order = np.lexsort((ids, -published, -scores))
        else:
            published = np.where(gen.columns.dated[ids], gen.columns.published[ids], np.nan)
            key = -published if request.sort != "oldest" else published
            key = np.where(np.isnan(key), np.inf, key)  # undated stories last
            order = np.lexsort((ids, key))
        chosen = order[start:stop]
        return [(int(ids[i]), float(scores[i]) if by_relevance else None) for i in chosen.tolist()]

    def _hit(
        self,
        gen: _Generation,
        docnum: int,
        score: float | None,
        query_terms: set[str],
        with_snippets: bool = True,
    ) -> StoryHit:
        doc = self._stored(gen, docnum)
        texts = {name: doc.get(name) or "" for name in TEXT_FIELDS}
        if not with_snippets:
            query_terms = set()
        matched = [name for name in TEXT_FIELDS if self._holds(gen, docnum, name, query_terms)]
        snippets: tuple[str, ...] = ()
        for name in ("body", "teaser", "captions"):
            if name in matched:
                snippets = highlight.snippets(texts[name], query_terms)
                if snippets:
                    break
        if not snippets and with_snippets:
            lead = texts["body"] or texts["teaser"]
            snippets = (highlight.lead(lead),) if lead else ()
        return StoryHit(
            id=doc["id"],
            title=texts["title"],
            title_html=highlight.mark(texts["title"], query_terms),
            source=doc.get("source", ""),
            published=doc.get("published"),
            precision=doc.get("precision"),
            kind=doc.get("kind", "article"),
            topics=_topics(doc),
            pages=tuple(doc.get("pages") or ()),
            snippets=snippets,
            matched_in=tuple(FIELD_NAMES[name] for name in matched),
            score=score,
        )

    def _unknown_word(self, gen: _Generation, compiled: Compiled) -> bool:
        """Whether a word typed appears in no story at all (an OR query can still find
        stories with the other words)."""
        for word in compiled.words:
            stem = normalise(word)
            if stem and not any(gen.matcher.doc_frequency(f, stem) for f in TEXT_FIELDS):
                return True
        return False

    def _holds(self, gen: _Generation, docnum: int, fieldname: str, query_terms: set[str]) -> bool:
        """Whether the story holds one of the terms in that field, from the postings the
        search has just read (no text is analysed)."""
        for term in query_terms:
            ids, _ = gen.matcher.term(fieldname, term)
            at = int(np.searchsorted(ids, docnum))
            if at < len(ids) and ids[at] == docnum:
                return True
        return False

    def _suggest(
        self,
        gen: _Generation,
        request: SearchRequest,
        compiled: Compiled,
        now: datetime,
        budget: Budget,
    ) -> str | None:
        reader = gen.searcher.reader()

        def frequency(stem: str) -> int:
            return sum(reader.doc_frequency(name, stem) for name in ("title", "body"))

        text = request.q
        for word in dict.fromkeys(compiled.words):
            if budget.expired():
                return None
            better = spelling.correct(
                word, frequency, lambda stem, typed: self._surface(gen, stem, typed), gen.lexicon
            )
            if better and better != word.lower():
                text = _replace_word(text, word, better)
        if text == request.q:
            return None
        return text if self._count(gen, replace(request, q=text), now, budget) else None

    def _surface(self, gen: _Generation, stem: str, typed: str) -> str | None:
        """The written word with stem ``stem`` nearest to ``typed``, read off a few stories."""
        forms: set[str] = set()
        for name in ("title", "body"):
            ids, _ = gen.matcher.term(name, stem)
            for docnum in ids[:SURFACE_STORIES].tolist():
                text = self._stored(gen, docnum).get(name) or ""
                forms.update(w.lower() for w in WORD.findall(text) if normalise(w) == stem)
        return min(sorted(forms), key=lambda w: Levenshtein.distance(typed, w), default=None)

    # --- one story -----------------------------------------------------------------------------

    def story(self, story_id: str, q: str = "") -> StoryDetail:
        """A story in full with the terms of ``q`` marked; ``StoryNotFound`` if none has the id."""
        now = datetime.now(UTC).replace(tzinfo=None)
        with self._working() as gen:
            docnum = gen.searcher.document_number(id=story_id)
            if docnum is None or not gen.matcher.live[docnum]:
                raise StoryNotFound(story_id)
            doc = self._stored(gen, docnum)
            query_terms = positive_terms(compile_query(q, "all", gen.vocab, now).query)
            body = doc.get("body") or ""
            text = body or doc.get("teaser") or ""
            paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
            captions = _captions(doc.get("captions") or "")
            related_docs = []
            for other_id in doc.get("related") or ():
                other = gen.searcher.document_number(id=other_id)
                if other is not None and gen.matcher.live[other]:
                    related_docs.append(other)
            related = [_ref(self._stored(gen, d)) for d in related_docs]
            shown = {docnum, *related_docs}
            similar = [_ref(self._stored(gen, d)) for d in self._similar(gen, doc, shown)]
            return StoryDetail(
                id=doc["id"],
                kind=doc.get("kind", "article"),
                title=doc.get("title") or "",
                title_html=highlight.mark(doc.get("title") or "", query_terms),
                source=doc.get("source", ""),
                published=doc.get("published"),
                precision=doc.get("precision"),
                body=body,
                body_html=tuple(highlight.mark(p, query_terms) for p in paragraphs),
                teaser=doc.get("teaser") or "",
                captions=captions,
                captions_html=tuple(highlight.mark(c.text, query_terms) for c in captions),
                topics=_topics(doc),
                pages=tuple(doc.get("pages") or ()),
                related=tuple(related),
                similar=tuple(similar),
            )

    def _similar(self, gen: _Generation, doc: dict[str, Any], shown: set[int]) -> list[int]:
        """More like this: the story's most distinctive words, searched as any-word; stories
        in ``shown`` (the story itself, its related stories) are left out."""
        text = " ".join(doc.get(name) or "" for name in ("title", "teaser", "body"))
        counts: dict[str, int] = {}
        for term in terms(text):
            if term.isalpha():
                counts[term] = counts.get(term, 0) + 1
        matcher = gen.matcher
        weighted = []
        for term, tf in counts.items():
            df = matcher.doc_frequency("body", term) + matcher.doc_frequency("title", term)
            if df > 1:
                weighted.append((tf * np.log(matcher.doc_count / df), term))
        weighted.sort(reverse=True)
        picked = [term for _, term in weighted[:KEY_TERMS]]
        if not picked:
            return []
        q = wq.Or([wq.Or([wq.Term(f, t) for f in ("title", "body")]) for t in picked])
        ids, scores = matcher.run(q, Budget())
        order = np.argsort(-scores, kind="stable")
        live = gen.matcher.live
        found = [int(ids[i]) for i in order[: SIMILAR + len(shown)] if int(ids[i]) not in shown]
        return [d for d in found if live[d]][:SIMILAR]

    # --- the live generation -------------------------------------------------------------------

    @contextlib.contextmanager
    def _working(self) -> Iterator[_Generation]:
        """The live generation, held for one request; a failure to read its files becomes
        ``IndexCorrupt`` (and the generation's ``fault``) when the files prove damaged."""
        with self._lock:
            self._busy_since = time.monotonic()
            gen = None
            try:
                gen = self._current()
                yield gen
            except NewsdexError:
                raise
            except Exception as err:
                if gen is None:
                    raise
                fault = _diagnose(gen, err)
                if fault is None:
                    raise  # not the files: a bug, logged and answered as one
                gen.fault = fault
                log.error("index generation %s is damaged: %s", gen.name, fault)
                raise IndexCorrupt(gen.name, fault) from err
            finally:
                self._busy_since = None

    def _watch(self) -> None:
        """Switch to a new generation while the engine idles: an idle worker must not keep
        an old index on disk for hours, and the next search must not wait for the switch."""
        while not self._closed.wait(WATCH_SECONDS):
            if not self._lock.acquire(blocking=False):
                continue
            try:
                gen = self._open
                if gen is not None and _live_name(self.index) != gen.name:
                    # Opening the new one lets go of the old one; done here, the next
                    # search does not pay for it.
                    self._current()
            except Exception:  # a watcher must never take the worker down
                log.exception("releasing an old generation of %s failed", self.index.path)
            finally:
                self._lock.release()

    def _current(self) -> _Generation:
        live = _live_name(self.index)
        if self._open is not None and self._open.name == live:
            return self._open
        if live is None:
            self.index.current()  # raises IndexMissing with the message people need
        if self._unopenable is not None and self._unopenable.generation == live:
            raise self._unopenable
        held = hold_current(self.index)
        try:
            opened = _open_generation(held)
        except IndexCorrupt as err:
            held.close()
            self._unopenable = err
            raise
        except Exception:
            held.close()
            raise
        self._unopenable = None
        if self._open is not None:
            self._open.close()
            remove_unused_generations(self.index)
        self._open = opened
        if self._watcher is None:
            self._watcher = threading.Thread(target=self._watch, name="newsdex-watch", daemon=True)
            self._watcher.start()
        return opened

    def _stored(self, gen: _Generation, docnum: int) -> dict[str, Any]:
        doc = gen.stored.get(docnum)
        if doc is None:
            if len(gen.stored) > 2048:
                gen.stored.clear()
            doc = gen.searcher.stored_fields(docnum)
            gen.stored[docnum] = doc
        return doc


def _open_generation(held: HeldGeneration) -> _Generation:
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
            searcher = ix.searcher()
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
    gen: _Generation

    def expand_prefix(prefix: str, limit: int) -> list[tuple[str, int]]:
        if gen.term_table_ready.wait(PREFIX_WAIT) and gen.term_table is not None:
            return gen.term_table.with_prefix(prefix, limit)
        return _scan_prefix(leaves, prefix, limit)

    vocab = Vocabulary(
        sources=[s for s in columns.sources if s],
        topics=columns.topics,
        topic_labels=labels,
        expand_prefix=expand_prefix,
    )
    gen = _Generation(held, ix, searcher, matcher, columns, vocab)
    threading.Thread(target=_warm_up, args=(gen,), name="newsdex-warm", daemon=True).start()
    return gen


def _warm_up(gen: _Generation) -> None:
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
        if problems:
            gen.fault = _without_path("; ".join(problems[:3]), gen.held)
            log.error("index generation %s is damaged: %s", gen.name, gen.fault)
    except Exception:  # closed under us, or damaged: searches find out and report it
        log.debug("warming up %s stopped", gen.name, exc_info=True)


def _scan_prefix(leaves: list[Any], prefix: str, limit: int) -> list[tuple[str, int]]:
    """What ``TermTable.with_prefix`` answers, from the first ``PREFIX_SCAN`` terms of each
    field: for the moments after opening, before the table is read."""
    return TermTable.read(leaves, TEXT_FIELDS, prefix, PREFIX_SCAN).with_prefix(prefix, limit)


def _live_name(index: IndexDir) -> str | None:
    try:
        return (index.path / CURRENT).read_text().strip()
    except FileNotFoundError:
        return None


def _diagnose(gen: _Generation, err: Exception) -> str | None:
    """The fault behind ``err`` when it comes from damaged files, else ``None`` (a bug)."""
    problems = verify_files(gen.held.generation.path)
    if problems:
        return _without_path("; ".join(problems[:3]), gen.held)
    if isinstance(err, _READ_ERRORS):
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
    return (taxonomy or Taxonomy.default()).labels()


def _date_bounds(
    request: SearchRequest, compiled: Compiled
) -> tuple[datetime | None, datetime | None]:
    lows = [d for d in (_day(request.date_from), compiled.date_from) if d is not None]
    to = _day(request.date_to)
    after_to = (
        (to + timedelta(days=1) if to < datetime(9999, 12, 31) else datetime.max) if to else None
    )
    highs = [d for d in (after_to, compiled.date_to) if d]
    return max(lows, default=None), min(highs, default=None)


def _day(value: date | None) -> datetime | None:
    return datetime(value.year, value.month, value.day) if value else None


def _interpreted(compiled: Compiled, text: str) -> str:
    parts = [describe_query(compiled.query, spelled_terms(text))] if compiled.query else []
    if compiled.date_from:
        parts.append(f"after:{compiled.date_from:%Y-%m-%d}")
    if compiled.date_to:
        parts.append(f"before:{compiled.date_to:%Y-%m-%d}")
    return " ".join(p for p in parts if p)


def _topics(doc: dict[str, Any]) -> tuple[str, ...]:
    raw = doc.get("topics") or ""
    return tuple(t for t in raw.split(",") if t)


def _captions(text: str) -> tuple[Caption, ...]:
    captions = []
    for line in text.splitlines():
        caption, _, credit = line.rpartition(" | ")
        captions.append(Caption(caption, credit) if caption else Caption(line))
    return tuple(captions)


def _ref(doc: dict[str, Any]) -> StoryRef:
    return StoryRef(
        id=doc["id"],
        title=doc.get("title") or "",
        source=doc.get("source", ""),
        published=doc.get("published"),
        precision=doc.get("precision"),
        kind=doc.get("kind", "article"),
    )


def _replace_word(text: str, word: str, replacement: str) -> str:
    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, text, count=1)


def _nothing() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
