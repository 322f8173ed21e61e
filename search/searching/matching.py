"""Run a parsed Whoosh query as whole-array operations: every matching story and its score.

Whoosh's own matchers step through postings one document at a time in Python, which is where
a faceted search spends its time when it needs *all* matches (facet counts and the histogram
count every match, not just the top ten). Here each term's posting list is read a block at a
time into numpy arrays, scored once with BM25F (cached for the life of the index generation),
and queries combine them with set operations. Phrases are checked on positions decoded in bulk
for the documents that hold all their words.

Scores are Whoosh 2.7.4's own (``searcher.search(q, limit=None)`` with ``BM25F()``), also on
an index that ``update`` left with deleted documents: Whoosh's statistics count deleted
documents (``doc_count_all``, the term table's document frequency, ``field_length``), so these
do too, and only the matches leave them out. ``tests/test_oracle.py`` holds the two side by
side.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any

import numpy as np
from whoosh import query as wq

from search.indexing.whoosh_private.postings import (
    field_lengths,
    live_mask,
    position_keys,
    read_postings,
    term_info,
)
from search.searching.budget import Budget

B = 0.75
K1 = 1.2
CACHE_TERMS = 4096
CACHE_PHRASES = 1024
REPLACE_EVERY = 10
"""Whoosh's scored collector rebuilds its matcher tree every this many matches (see
``_coordinated``)."""
EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_SCORES = np.zeros(0, dtype=np.float64)

Matches = tuple[np.ndarray, np.ndarray]
"""Sorted unique document numbers (int32) and their scores (float64)."""


class _WhooshOnly(Exception):
    """A query shape whose scores only Whoosh's own matchers reproduce."""


class Matcher:
    """Whole-array query evaluation over one open index generation."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        reader = searcher.reader()
        self.reader = reader
        self.schema = reader.schema
        self.leaves: list[tuple[Any, int]] = list(reader.leaf_readers())
        self._starts = np.array([offset for _, offset in self.leaves], dtype=np.int64)
        self.doc_count = reader.doc_count_all()
        self.live = live_mask(self.leaves, self.doc_count)
        self.live_ids = np.flatnonzero(self.live).astype(np.int32)
        self.live_count = len(self.live_ids)
        self._has_live = [leaf.doc_count() > 0 for leaf, _ in self.leaves]
        self._lengths: dict[str, np.ndarray] = {}
        self._cache: OrderedDict[tuple[str, str], Matches] = OrderedDict()
        self._df: dict[tuple[str, str], int] = {}
        self._infos: dict[tuple[str, str], list[Any]] = {}
        self._phrases: OrderedDict[tuple[str, tuple[str, ...], int], Matches] = OrderedDict()
        self._budget: Budget | None = None

    def run(self, q: wq.Query, budget: Budget | None = None) -> Matches:
        """Every live document matching ``q`` with its score, sorted by document number.

        With a ``budget``, terms whose postings are not yet read when it runs out are left out
        of the query (as if not typed) and recorded in ``budget.skipped``."""
        self._budget = budget
        try:
            found = self._live(self._eval(q, None) or _nothing())
            if _has_coordination(q):
                # Whoosh's coordination bonus depends on where each match falls in the
                # sequence of matches, so the matches are needed first.
                found = self._live(self._eval(q, self._checkpoints(found[0])) or _nothing())
        except _WhooshOnly:
            found = self._whoosh(q)
        finally:
            self._budget = None
        return found

    def term(self, fieldname: str, text: str) -> Matches:
        """One term's live postings and their scores: BM25F on text fields, the posting's
        weight on the others (as Whoosh's ``WeightScorer``)."""
        key = (fieldname, text)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        ids, weights, df = self._postings(fieldname, text)
        self._df[key] = df
        field = self.schema[fieldname] if fieldname in self.schema else None
        if field is not None and field.scorable and len(ids):
            scores = self._bm25f(fieldname, ids, weights, df)
        else:
            scores = weights
        found = (ids, scores)
        self._cache[key] = found
        if len(self._cache) > CACHE_TERMS:
            old, _ = self._cache.popitem(last=False)
            self._df.pop(old, None)
            self._infos.pop(old, None)
        return found

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Stories holding the term as Whoosh counts them for its idf: deleted stories
        included, until a merge drops them."""
        df = self._df.get((fieldname, text))
        if df is None:
            df = self.reader.doc_frequency(fieldname, text)
        return df

    # --- scoring ----------------------------------------------------------------------------

    def _bm25f(self, fieldname: str, ids: np.ndarray, weights: np.ndarray, df: int) -> np.ndarray:
        """Whoosh's ``BM25FScorer``, with its statistics and in its order of operations."""
        idf = math.log(self.doc_count / (df + 1)) + 1
        avg = self.reader.field_length(fieldname) / (self.doc_count or 1) or 1
        lengths = self._field_lengths(fieldname)[ids]
        return idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / avg)))

    def _coordinated(
        self, q: wq.Or, ids: np.ndarray, scores: np.ndarray, checkpoints: Matches | None
    ) -> np.ndarray:
        """Whoosh's ``CoordMatcher`` (an ``Or`` with ``scale``).

        It counts the term matchers of its tree (``termcount``) and those on the document
        (``matching``). The collector rebuilds the tree every ``REPLACE_EVERY`` matches of a
        segment, dropping the terms whose postings are used up, and the count is taken
        again: so ``termcount`` is the number of terms with a live posting at or after the
        last rebuild's match, in the same segment."""
        if checkpoints is None:
            return scores
        terms = list(_leaf_terms(q))
        segment = np.searchsorted(self._starts, ids, side="right") - 1
        since = _checkpoint_of(ids, segment, checkpoints, self._starts)
        matching = np.zeros(len(ids), dtype=np.int64)
        termcount = np.zeros(len(ids), dtype=np.int64)
        for fieldname, text in terms:
            if self._out_of_time(fieldname, text):
                continue
            held, _ = self.term(fieldname, text)
            matching += np.isin(ids, held, assume_unique=True)
            termcount += self._last_in_segment(held)[segment] >= since
        return (scores + (matching - 1) / (termcount - q.scale) ** 2) * (
            (termcount - 1) / termcount
        )

    def _checkpoints(self, ids: np.ndarray) -> Matches:
        """The matches, and for each the match at which Whoosh last rebuilt its tree."""
        segment = np.searchsorted(self._starts, ids, side="right") - 1
        first = np.searchsorted(segment, segment, side="left")
        place = np.arange(len(ids)) - first
        return ids, ids[first + place // REPLACE_EVERY * REPLACE_EVERY]

    def _last_in_segment(self, ids: np.ndarray) -> np.ndarray:
        """The last of ``ids`` in each segment (-1 for none)."""
        ends = np.searchsorted(ids, self._starts[1:], side="left")
        ends = np.append(ends, len(ids))
        padded = np.concatenate(([-1], ids.astype(np.int64)))
        last = padded[ends]
        starts = np.concatenate(([0], ends[:-1]))
        return np.where(ends > starts, last, -1)

    # --- evaluation -------------------------------------------------------------------------

    def _out_of_time(self, fieldname: str, text: str) -> bool:
        """Whether this term must be left out: time is up and its postings are not cached."""
        budget = self._budget
        if budget is None or (fieldname, text) in self._cache or not budget.expired():
            return False
        budget.skip(text)
        return True

    def _eval(self, q: wq.Query, checkpoints: Matches | None) -> Matches | None:
        """``None``: the part was left out for lack of time (it neither matches nor filters)."""
        if isinstance(q, wq.Term):
            if self._out_of_time(q.fieldname, str(q.text)):
                return None
            ids, scores = self.term(q.fieldname, str(q.text))
            return (ids, scores * q.boost) if q.boost != 1.0 else (ids, scores)
        if isinstance(q, wq.And | wq.Or) and len(q.subqueries) <= 1:
            # Whoosh runs a compound of one clause as that clause, its boost unused.
            return self._eval(q.subqueries[0], checkpoints) if q.subqueries else _nothing()
        if isinstance(q, wq.And):
            parts = _present(self._eval(s, checkpoints) for s in q.subqueries)
            return _boosted(_and(parts), q.boost) if parts else None
        if isinstance(q, wq.Or):
            parts = _present(self._eval(s, checkpoints) for s in q.subqueries)
            if not parts:
                return None
            ids, scores = _boosted(_or(parts), q.boost)
            if q.scale:
                scores = self._coordinated(q, ids, scores, checkpoints)
            return ids, scores
        if isinstance(q, wq.AndNot):
            found, banned = self._eval(q.a, checkpoints), self._eval(q.b, checkpoints)
            if found is None or banned is None:
                return found
            ids, scores = found
            keep = ~np.isin(ids, banned[0], assume_unique=True)
            return ids[keep], scores[keep]
        if isinstance(q, wq.Not):
            # Whoosh's InverseMatcher scores every document it yields 1.0.
            banned = self._eval(q.query, checkpoints)
            if banned is None:
                return None
            ids = self.live_ids[~np.isin(self.live_ids, banned[0], assume_unique=True)]
            return ids, np.ones(len(ids), dtype=np.float64)
        if isinstance(q, wq.AndMaybe):
            found, maybe = self._eval(q.a, checkpoints), self._eval(q.b, checkpoints)
            if found is None or maybe is None:
                return found
            (ids, scores), (extra_ids, extra) = found, maybe
            _, here, there = np.intersect1d(ids, extra_ids, assume_unique=True, return_indices=True)
            scores = scores.copy()
            scores[here] += extra[there]
            return ids, scores
        if isinstance(q, wq.Phrase):
            return self._phrase(q)
        if isinstance(q, wq.Every):
            return self.live_ids, np.full(len(self.live_ids), q.boost, dtype=np.float64)
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return _nothing()
        # Ranges and the rare rest: Whoosh scores them alone (no coordination inside).
        return self._whoosh(q)

    def _live(self, found: Matches) -> Matches:
        ids, scores = found
        if len(ids) and self.live_count < self.doc_count:
            keep = self.live[ids]
            ids, scores = ids[keep], scores[keep]
        return ids, scores

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

    def _adjacent(self, fieldname: str, words: list[str], candidates: np.ndarray) -> np.ndarray:
        """The candidates in which ``words`` stand next to each other, in order.

        Each word's (document, position) pairs become one int64 key per occurrence, shifted
        back by the word's place in the phrase; a phrase starts wherever all keys agree."""
        starts: np.ndarray | None = None
        for place, word in enumerate(words):
            keys = self._position_keys(fieldname, word, candidates) - place
            starts = keys if starts is None else np.intersect1d(starts, keys, assume_unique=True)
            if not len(starts):
                break
        assert starts is not None
        return np.unique(starts >> 32).astype(np.int32)

    def _position_keys(self, fieldname: str, word: str, docs: np.ndarray) -> np.ndarray:
        """Sorted keys of the word's positions in ``docs`` (sorted), all segments at once."""
        held: list[np.ndarray] = []
        values: list[bytes] = []
        btext = word.encode("utf-8")
        bounds = np.searchsorted(docs, [*self._starts.tolist(), self.doc_count])
        infos = self._term_infos(fieldname, word)
        for n, ((leaf, offset), terminfo) in enumerate(zip(self.leaves, infos, strict=True)):
            local = docs[bounds[n] : bounds[n + 1]] - offset
            if terminfo is None or not len(local):
                continue
            ids, _, found = read_postings(leaf, terminfo, fieldname, btext, local)
            held.append(ids + offset)
            values.extend(found)
        if not held:
            return np.zeros(0, dtype=np.int64)
        return position_keys(np.concatenate(held), values)

    # --- reading the index --------------------------------------------------------------------

    def _postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray, int]:
        """Live postings' ids and weights, and how many postings there are in all (Whoosh's
        document frequency, which counts deleted documents)."""
        id_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        btext = text.encode("utf-8")
        df = 0
        infos = self._term_infos(fieldname, text)
        for (leaf, offset), has_live, terminfo in zip(
            self.leaves, self._has_live, infos, strict=True
        ):
            if terminfo is None:
                continue
            df += terminfo.doc_frequency()
            if not has_live:  # a segment whose every story an update replaced
                continue
            ids, weights, _ = read_postings(leaf, terminfo, fieldname, btext, None)
            ids = ids + offset
            if self.live_count < self.doc_count:
                keep = self.live[ids]
                ids, weights = ids[keep], weights[keep]
            id_parts.append(ids)
            weight_parts.append(weights)
        if not id_parts:
            return EMPTY_IDS, EMPTY_SCORES, df
        return (
            np.concatenate(id_parts).astype(np.int32),
            np.concatenate(weight_parts).astype(np.float64),
            df,
        )

    def _term_infos(self, fieldname: str, text: str) -> list[Any]:
        """The term's entry in each segment's term table (``None`` where absent), kept with
        the cached postings: phrases read the positions again and need not look again."""
        key = (fieldname, text)
        found = self._infos.get(key)
        if found is None:
            btext = text.encode("utf-8")
            found = [term_info(leaf, fieldname, btext) for leaf, _ in self.leaves]
            self._infos[key] = found  # dropped with the term's postings from the cache
        return found

    def _field_lengths(self, fieldname: str) -> np.ndarray:
        """Every document's length of the field as Whoosh reads it back (one byte, decoded)."""
        found = self._lengths.get(fieldname)
        if found is None:
            found = field_lengths([leaf for leaf, _ in self.leaves], fieldname)
            self._lengths[fieldname] = found
        return found


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


def _present(parts: Any) -> list[Matches]:
    return [p for p in parts if p is not None]


def _nothing() -> Matches:
    return EMPTY_IDS, EMPTY_SCORES


def _boosted(found: Matches, boost: float) -> Matches:
    ids, scores = found
    return (ids, scores * boost) if boost != 1.0 else (ids, scores)


def _has_coordination(q: wq.Query) -> bool:
    if isinstance(q, wq.Or) and q.scale and len(q.subqueries) > 1:
        return True
    return any(_has_coordination(child) for child in q.children())


def _leaf_terms(q: wq.Query) -> Any:
    """The terms whose matchers a coordinated ``Or`` counts; other shapes are Whoosh's."""
    for sub in q.subqueries:
        if isinstance(sub, wq.Term):
            yield sub.fieldname, str(sub.text)
        elif isinstance(sub, wq.Or):
            yield from _leaf_terms(sub)
        else:
            raise _WhooshOnly(sub)


def _checkpoint_of(
    ids: np.ndarray, segment: np.ndarray, checkpoints: Matches, starts: np.ndarray
) -> np.ndarray:
    """For each of ``ids``, the rebuild point of the last match at or before it in its
    segment (the document itself when there is none; it is then no match)."""
    matches, since = checkpoints
    if not len(matches):
        return ids.astype(np.int64)
    at = np.searchsorted(matches, ids, side="right") - 1
    found = np.where(at >= 0, since[np.maximum(at, 0)], -1)
    return np.where(found >= starts[segment], found, ids).astype(np.int64)
