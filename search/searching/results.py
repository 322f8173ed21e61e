"""One search over an open generation: matches, filters, facets, the page of hits, extras.

``search`` runs the compiled query through the matcher, applies the filters and counts the
facets over the matches, sorts out the page asked for, and makes each hit from its stored
fields with the query's words marked. "Did you mean" and the any-word count come last, and
only while the budget lasts.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np
from rapidfuzz.distance import OSA as Levenshtein
from whoosh import query as wq

from search.indexing.analysis import WORD, normalise
from search.models import Histogram, Marked, ParsedQuery, SearchRequest, SearchResults, StoryHit
from search.searching import grouping, highlight, spelling
from search.searching.budget import Budget
from search.searching.generation import READ_ERRORS, Generation
from search.searching.query import FIELD_NAMES, TEXT_FIELDS, Compiled, compile_query, positive_terms

log = logging.getLogger("newsdex.engine")

SURFACE_STORIES = 5
"""How many stories a spelling candidate's written forms are read from."""
SPELL_WORDS = 12
"""Longer queries (a pasted paragraph) get no "did you mean": it would cost much and say little."""


def search(
    gen: Generation,
    request: SearchRequest,
    now: datetime,
    budget: Budget,
    *,
    facets: bool = True,
    snippets: bool = True,
    started: float,
) -> SearchResults:
    """Run one search (``Engine.search`` says what the arguments do); ``started``: the
    ``time.perf_counter()`` the search's time is counted from."""
    compiled = compile_query(request.q, request.match, gen.vocab, now)
    ids, scores = _run(gen, compiled, budget)
    low, high = _date_bounds(request, compiled)
    filtered = with_query_filters(request, compiled)
    filters = gen.columns.filters(ids, filtered, low, high)
    keep = filters.all()
    found = Matches(ids[keep], scores[keep], compiled)
    counts = gen.columns.counts(ids, filters, filtered) if facets else {}
    histogram = gen.columns.histogram(found.ids) if facets else Histogram("month", ())
    page, groups = _page(gen, request, found)
    query_terms = positive_terms(compiled.query)
    hits = tuple(
        make_hit(gen, doc, score, query_terms, snippets, others=more) for doc, score, more in page
    )
    total = len(found.ids)
    # The extras are skipped once the budget is spent: they are worth less than time.
    suggestion = None
    if 0 < len(compiled.words) <= SPELL_WORDS and (total == 0 or _unknown_word(gen, compiled)):
        if not budget.expired():
            suggestion = _suggest(gen, request, compiled, now, budget)
    any_total = None
    if total == 0 and request.match == "all" and len(compiled.words) > 1:
        if not budget.expired():
            any_total = _count(gen, replace(request, match="any"), now, budget)
    if (cut := budget.notice()) is not None:
        compiled.notices.append(cut)
    name = gen.name
    return SearchResults(
        request=request,
        query=parsed_query(request, compiled),
        total=total,
        hits=hits,
        facets=counts,
        histogram=histogram,
        took_ms=round((time.perf_counter() - started) * 1000, 2),
        suggestion=suggestion,
        any_total=any_total,
        generation=name,
        span=gen.date_span(),
        groups=groups,
    )


def _run(gen: Generation, compiled: Compiled, budget: Budget) -> tuple[np.ndarray, np.ndarray]:
    if compiled.query is None:
        ids = gen.matcher.live_ids
        return ids, np.zeros(len(ids), dtype=np.float32)
    try:
        return gen.matcher.run(compiled.query, budget)
    except READ_ERRORS:
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


@dataclass(frozen=True, slots=True)
class Matches:
    """Every story a request finds (its text and its filters), in document order."""

    ids: np.ndarray
    scores: np.ndarray
    compiled: Compiled

    @property
    def by_relevance(self) -> bool:
        return self.compiled.query is not None


def matches(gen: Generation, request: SearchRequest, now: datetime, budget: Budget) -> Matches:
    """The stories ``request`` finds, without facets, page or snippets."""
    compiled = compile_query(request.q, request.match, gen.vocab, now)
    ids, scores = _run(gen, compiled, budget)
    low, high = _date_bounds(request, compiled)
    keep = gen.columns.filters(ids, with_query_filters(request, compiled), low, high).all()
    return Matches(ids[keep], scores[keep], compiled)


def with_query_filters(request: SearchRequest, compiled: Compiled) -> SearchRequest:
    """The request with the facet values the query text filters on added to its own: a
    source written in the query and a ticked one are either-or, as two ticked ones are."""
    added: dict[str, list[str]] = {"source": [], "topic": [], "kind": []}
    for held in compiled.filters:
        if held.facet in added:
            added[held.facet].extend(held.values)
    if not any(added.values()):
        return request
    return replace(
        request,
        sources=tuple(dict.fromkeys([*request.sources, *added["source"]])),
        topics=tuple(dict.fromkeys([*request.topics, *added["topic"]])),
        kinds=tuple(dict.fromkeys([*request.kinds, *added["kind"]])),
    )


def parsed_query(request: SearchRequest, compiled: Compiled) -> ParsedQuery:
    """How the engine read the request's query text, to echo back."""
    return ParsedQuery(
        text=request.q,
        interpreted=compiled.interpreted,
        terms=tuple(compiled.words),
        notices=tuple(compiled.notices),
        date_from=compiled.date_from,
        date_to=compiled.date_to,
        filters=tuple(compiled.filters),
        unfiltered=compiled.unfiltered if compiled.filters else None,
    )


def _count(gen: Generation, request: SearchRequest, now: datetime, budget: Budget) -> int:
    return len(matches(gen, request, now, budget).ids)


def ordered(gen: Generation, request: SearchRequest, found: Matches) -> np.ndarray:
    """Positions into ``found`` in the request's order: best match first (ties newest
    first, then by document number), or newest/oldest first with undated stories last."""
    ids = found.ids
    if request.sort == "relevance" and found.by_relevance:
        published = gen.columns.published[ids]
        return np.lexsort((ids, -published, -found.scores))
    published = np.where(gen.columns.dated[ids], gen.columns.published[ids], np.nan)
    key = -published if request.sort != "oldest" else published
    key = np.where(np.isnan(key), np.inf, key)  # undated stories last
    return np.lexsort((ids, key))


def _page(
    gen: Generation, request: SearchRequest, found: Matches
) -> tuple[list[tuple[int, float | None, np.ndarray | None]], int | None]:
    """The page of hits asked for: ``(document, score, others)``, where ``others`` are the
    other matches of its cluster when grouping (else ``None``); and with ``group=cluster``,
    how many hits the grouped list has."""
    ids = found.ids
    grouped = request.group == "cluster"
    start = (request.page - 1) * request.per_page
    stop = start + request.per_page
    if start >= len(ids):
        return [], (len(grouping.lead_positions(gen.clusters.keys[ids])) if grouped else None)
    scored = request.sort == "relevance" and found.by_relevance
    order = ordered(gen, request, found)
    groups = keys = in_order = None
    if grouped:
        in_order = ids[order]
        keys = gen.clusters.keys[in_order]
        leads = grouping.lead_positions(keys)
        groups = len(leads)
        chosen = leads[start:stop]
    else:
        chosen = np.arange(start, min(stop, len(ids)))
    page = []
    for position in chosen.tolist():
        i = int(order[position])
        others = None
        if keys is not None and in_order is not None:
            others = grouping.followers(keys, in_order, position)
        page.append((int(ids[i]), float(found.scores[i]) if scored else None, others))
    return page, groups


def make_hit(
    gen: Generation,
    docnum: int,
    score: float | None,
    query_terms: set[str],
    with_snippets: bool = True,
    keep: bool = True,
    others: np.ndarray | None = None,
) -> StoryHit:
    """A hit from a story's stored fields; ``keep``: whether ``gen`` keeps them for later;
    ``others``: the other matches of its cluster, shown under it when grouping."""
    doc = gen.stored(docnum, keep)
    more = grouping.cards([gen.stored(d) for d in others.tolist()]) if others is not None else ()
    topics, labels = gen.topics_of(doc)
    texts = {name: doc.get(name) or "" for name in TEXT_FIELDS}
    if not with_snippets:
        query_terms = set()
    matched = [name for name in TEXT_FIELDS if _holds(gen, docnum, name, query_terms)]
    snippets: tuple[Marked, ...] = ()
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
        marked_title=highlight.mark(texts["title"], query_terms),
        source=doc.get("source", ""),
        published=doc.get("published"),
        precision=doc.get("precision"),
        kind=doc.get("kind", "article"),
        topics=topics,
        topic_labels=labels,
        pages=gen.pages_of(doc),
        snippets=snippets,
        matched_in=tuple(FIELD_NAMES[name] for name in matched),
        score=score,
        link=doc.get("url"),
        versions=max(1, len(doc.get("versions") or ())),
        cluster=doc.get("cluster"),
        cluster_size=gen.clusters.size(doc.get("cluster")),
        more=more,
    )


def _unknown_word(gen: Generation, compiled: Compiled) -> bool:
    """Whether a word typed appears in no story at all (an OR query can still find
    stories with the other words)."""
    for word in compiled.words:
        stem = normalise(word)
        if stem and not any(gen.matcher.doc_frequency(f, stem) for f in TEXT_FIELDS):
            return True
    return False


def _holds(gen: Generation, docnum: int, fieldname: str, query_terms: set[str]) -> bool:
    """Whether the story holds one of the terms in that field, from the postings the
    search has just read (no text is analysed)."""
    for term in query_terms:
        ids, _ = gen.matcher.term(fieldname, term)
        at = int(np.searchsorted(ids, docnum))
        if at < len(ids) and ids[at] == docnum:
            return True
    return False


def _suggest(
    gen: Generation,
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
            word, frequency, lambda stem, typed: _surface(gen, stem, typed), gen.lexicon
        )
        if better and better != word.lower():
            text = _replace_word(text, word, better)
    if text == request.q:
        return None
    return text if _count(gen, replace(request, q=text), now, budget) else None


def _surface(gen: Generation, stem: str, typed: str) -> str | None:
    """The written word with stem ``stem`` nearest to ``typed``, read off a few stories."""
    forms: set[str] = set()
    for name in ("title", "body"):
        ids, _ = gen.matcher.term(name, stem)
        for docnum in ids[:SURFACE_STORIES].tolist():
            text = gen.stored(docnum).get(name) or ""
            forms.update(w.lower() for w in WORD.findall(text) if normalise(w) == stem)
    return min(sorted(forms), key=lambda w: Levenshtein.distance(typed, w), default=None)


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


def _replace_word(text: str, word: str, replacement: str) -> str:
    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, text, count=1)


def _nothing() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
