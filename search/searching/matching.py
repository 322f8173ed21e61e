"""Run a parsed Whoosh query as whole-array operations: every matching story and its score.

Whoosh's own matchers step through postings one document at a time in Python, which is where
a faceted search spends its time when it needs *all* matches (facet counts and the histogram
count every match, not just the top ten). Here queries combine each term's scored posting list
(``scored_postings``: numpy arrays, the recently used ones cached) with set operations.
Phrases of adjacent words are checked on positions decoded in bulk for the documents that hold
all their words (a phrase with slop asks Whoosh which documents hold it); ranges and the rare
other shapes Whoosh runs itself.

Scores are Whoosh 2.7.4's own (``searcher.search(q, limit=None)`` with ``BM25F()``), its
coordination bonus for any-word queries included (``coordination``), also on an index that
``update`` left with deleted documents. ``tests/test_oracle.py`` holds the two side by side.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from whoosh import query as wq

from search.searching.budget import Budget
from search.searching.coordination import (
    WhooshOnly,
    checkpoints,
    coordinated,
    has_coordination,
)
from search.searching.scored_postings import EMPTY_IDS, EMPTY_SCORES, Matches, ScoredPostings

CACHE_PHRASES = 1024


class DateSpan(wq.DateRange):
    """Stories published in ``[start, end)`` (``None`` leaves a side open): a clause of the
    query tree that scores nothing. The matcher reads it off the published column; Whoosh
    (when it runs a query itself) walks the field's trie terms, with the same result."""

    def __init__(self, start: datetime | None, end: datetime | None) -> None:
        super().__init__("published", start, end, endexcl=True, boost=0.0)
        self.span = (start, end)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateSpan) and self.span == other.span

    def __hash__(self) -> int:
        return hash((DateSpan, self.span))

    def __repr__(self) -> str:
        return f"DateSpan({self.span[0]!r}, {self.span[1]!r})"


class Matcher(ScoredPostings):
    """Whole-array query evaluation over one open index generation."""

    def __init__(self, searcher: Any) -> None:
        super().__init__(searcher)
        self._phrases: OrderedDict[tuple[str, tuple[str, ...], int], Matches] = OrderedDict()
        self._budget: Budget | None = None
        self.published: np.ndarray | None = None
        self.dated: np.ndarray | None = None
        """The published column (Whoosh's microseconds) and which stories have a date, over
        every document number; set by the generation once its columns are read."""

    def run(self, q: wq.Query, budget: Budget | None = None) -> Matches:
        """Every live document matching ``q`` with its score, sorted by document number.

        With a ``budget``, terms whose postings are not yet read when it runs out are left out
        of the query (as if not typed) and recorded in ``budget.skipped``."""
        self._budget = budget
        try:
            found = self._live(self._eval(q, None) or _nothing())
            if has_coordination(q):
                # Whoosh's coordination bonus depends on where each match falls in the
                # sequence of matches, so the matches are needed first.
                marks = checkpoints(found[0], self._starts)
                found = self._live(self._eval(q, marks) or _nothing())
        except WhooshOnly:
            found = self._whoosh(q)
        finally:
            self._budget = None
        return found

    # --- evaluation -------------------------------------------------------------------------

    def _out_of_time(self, fieldname: str, text: str) -> bool:
        """Whether this term must be left out: time is up and its postings are not cached."""
        budget = self._budget
        if budget is None or (fieldname, text) in self._cache or not budget.expired():
            return False
        budget.skip(text)
        return True

    def _eval(self, q: wq.Query, marks: Matches | None) -> Matches | None:
        """``None``: the part was left out for lack of time (it neither matches nor filters)."""
        if isinstance(q, wq.Term):
            if self._out_of_time(q.fieldname, str(q.text)):
                return None
            ids, scores = self.term(q.fieldname, str(q.text))
            return (ids, scores * q.boost) if q.boost != 1.0 else (ids, scores)
        if isinstance(q, wq.And | wq.Or) and len(q.subqueries) <= 1:
            # Whoosh runs a compound of one clause as that clause, its boost unused.
            return self._eval(q.subqueries[0], marks) if q.subqueries else _nothing()
        if isinstance(q, wq.And):
            parts = _present(self._eval(s, marks) for s in q.subqueries)
            return _boosted(_and(parts), q.boost) if parts else None
        if isinstance(q, wq.Or):
            parts = _present(self._eval(s, marks) for s in q.subqueries)
            if not parts:
                return None
            ids, scores = _boosted(_or(parts), q.boost)
            if q.scale and marks is not None:
                scores = coordinated(q, ids, scores, marks, self._starts, self._held)
            return ids, scores
        if isinstance(q, wq.AndNot):
            found, banned = self._eval(q.a, marks), self._eval(q.b, marks)
            if found is None or banned is None:
                return found
            ids, scores = found
            keep = ~np.isin(ids, banned[0], assume_unique=True)
            return ids[keep], scores[keep]
        if isinstance(q, wq.Not):
            # Whoosh's InverseMatcher scores every document it yields 1.0.
            banned = self._eval(q.query, marks)
            if banned is None:
                return None
            ids = self.live_ids[~np.isin(self.live_ids, banned[0], assume_unique=True)]
            return ids, np.ones(len(ids), dtype=np.float64)
        if isinstance(q, wq.AndMaybe):
            found, maybe = self._eval(q.a, marks), self._eval(q.b, marks)
            if found is None or maybe is None:
                return found
            (ids, scores), (extra_ids, extra) = found, maybe
            _, here, there = np.intersect1d(ids, extra_ids, assume_unique=True, return_indices=True)
            scores = scores.copy()
            scores[here] += extra[there]
            return ids, scores
        if isinstance(q, wq.Phrase):
            return self._phrase(q)
        if isinstance(q, DateSpan) and self.published is not None:
            return self._dates(q)
        if isinstance(q, wq.Every):
            return self.live_ids, np.full(len(self.live_ids), q.boost, dtype=np.float64)
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return _nothing()
        # Ranges and the rare rest: Whoosh scores them alone (no coordination inside).
        return self._whoosh(q)

    def _dates(self, q: DateSpan) -> Matches:
        ids = self.live_ids
        assert self.published is not None and self.dated is not None
        keep = self.dated[ids].copy()
        start, end = q.span
        if start is not None:
            keep &= self.published[ids] >= _microseconds(start)
        if end is not None:
            keep &= self.published[ids] < _microseconds(end)
        found = ids[keep]
        return found, np.zeros(len(found), dtype=np.float64)

    def _held(self, fieldname: str, text: str) -> np.ndarray | None:
        """A term's documents, or ``None`` when it is left out for lack of time."""
        return None if self._out_of_time(fieldname, text) else self.term(fieldname, text)[0]

    def _whoosh(self, q: wq.Query) -> Matches:
        results = self.searcher.search(q, limit=None, scored=True)
        pairs = sorted(results.items())
        ids = np.array([d for d, _ in pairs], dtype=np.int32)
        scores = np.array([s for _, s in pairs], dtype=np.float64)
        return self._live((ids, scores))

    def _phrase(self, q: wq.Phrase) -> Matches | None:
        """A phrase's matches, scored as Whoosh does: the sum of its words' scores. Kept
        like a term's postings, since checking positions reads them all again."""
        key = (q.fieldname, tuple(q.words), q.slop)
        found = self._phrases.get(key)
        if found is not None:
            self._phrases.move_to_end(key)
        elif any(self._out_of_time(q.fieldname, w) for w in q.words):
            return None
        else:
            found = self._unboosted_phrase(q)
            self._phrases[key] = found
            if len(self._phrases) > CACHE_PHRASES:
                self._phrases.popitem(last=False)
        return _boosted(found, q.boost)

    def _unboosted_phrase(self, q: wq.Phrase) -> Matches:
        words = [self.term(q.fieldname, w) for w in q.words]
        if not words:
            return _nothing()
        candidates, scores = _and(list(words))
        if len(candidates) and len(q.words) > 1:
            if q.slop != 1:
                confirmed = np.fromiter(q.docs(self.searcher), dtype=np.int32)
            else:
                confirmed = self._adjacent(q.fieldname, list(q.words), candidates)
            keep = np.isin(candidates, confirmed, assume_unique=True)
            candidates, scores = candidates[keep], scores[keep]
        return candidates, scores


def _and(parts: list[Matches]) -> Matches:
    parts.sort(key=lambda p: len(p[0]))
    ids, scores = parts[0]
    for other_ids, other_scores in parts[1:]:
        if not len(ids):
            break
        ids, here, there = np.intersect1d(ids, other_ids, assume_unique=True, return_indices=True)
        scores = scores[here] + other_scores[there]
    return ids, scores


def _or(parts: list[Matches]) -> Matches:
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return EMPTY_IDS, EMPTY_SCORES
    if len(parts) == 1:
        return parts[0]
    ids, inverse = np.unique(np.concatenate([p[0] for p in parts]), return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate([p[1] for p in parts]))
    return ids.astype(np.int32), scores


def _microseconds(value: datetime) -> int:
    """Whoosh's long for a datetime: microseconds since ``datetime.min``."""
    return (value - datetime.min) // timedelta(microseconds=1)


def _present(parts: Any) -> list[Matches]:
    return [p for p in parts if p is not None]


def _nothing() -> Matches:
    return EMPTY_IDS, EMPTY_SCORES


def _boosted(found: Matches, boost: float) -> Matches:
    ids, scores = found
    return (ids, scores * boost) if boost != 1.0 else (ids, scores)
