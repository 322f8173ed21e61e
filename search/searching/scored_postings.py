"""Each term's posting list as numpy arrays, scored as Whoosh 2.7.4 scores it, and cached.

``ScoredPostings`` reads a term's postings from every segment of one generation (through
``search.indexing.whoosh_private.postings``), drops the deleted documents and scores them with
Whoosh's ``BM25FScorer`` under ``WEIGHTING`` (Whoosh's BM25F with Lucene's idf and newsdex's
``K1`` and ``B``, which the searcher uses too): its statistics, in its order of operations.
Whoosh's statistics
count deleted documents (``doc_count_all``, the term table's document frequency,
``field_length``), so these do too; only the postings returned leave them out. The most
recently used ``CACHE_TERMS`` terms are kept. ``matching.Matcher`` builds on it.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any

import numpy as np
from whoosh.scoring import BM25F

from search.indexing.whoosh_private.postings import (
    field_lengths,
    live_mask,
    position_keys,
    read_postings,
    term_info,
)

# Measured on MED, CRAN and NPL together (docs/benchmarks.md, "Ranking"): less length
# normalisation and a little more room for repeated words than Whoosh's 0.75 and 1.2.
B = 0.6
K1 = 1.5
CACHE_TERMS = 4096
EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_SCORES = np.zeros(0, dtype=np.float64)

Matches = tuple[np.ndarray, np.ndarray]
"""Sorted unique document numbers (int32) and their scores (float64)."""


def idf(doc_count: int, df: int) -> float:
    """Lucene's BM25 idf (also tantivy's and bm25s'): ``log(1 + (N - df + 0.5) / (df + 0.5))``.
    Whoosh's ``log(N / (df + 1)) + 1`` gives a word in every story an idf of about 1, so common
    words still weigh a third of a rare one; this one goes to about 0 for them."""
    return math.log(1 + (doc_count - df + 0.5) / (df + 0.5))


class NewsBM25(BM25F):
    """Whoosh's ``BM25F`` with ``idf`` above, for the searcher: Whoosh's own matchers (the rare
    query shapes ``matching`` hands to Whoosh) then score as ``ScoredPostings`` does."""

    def __init__(self) -> None:
        super().__init__(B=B, K1=K1)

    def idf(self, searcher: Any, fieldname: str, text: str) -> float:
        parent = searcher.get_parent()
        return idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))


WEIGHTING = NewsBM25()


class ScoredPostings:
    """The scored postings of one open index generation, term by term."""

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

    def _bm25f(self, fieldname: str, ids: np.ndarray, weights: np.ndarray, df: int) -> np.ndarray:
        """Whoosh's ``BM25FScorer`` under ``WEIGHTING``, with its statistics and in its order
        of operations."""
        weight = idf(self.doc_count, df)
        avg = self.reader.field_length(fieldname) / (self.doc_count or 1) or 1
        lengths = self._field_lengths(fieldname)[ids]
        return weight * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / avg)))

    def _live(self, found: Matches) -> Matches:
        ids, scores = found
        if len(ids) and self.live_count < self.doc_count:
            keep = self.live[ids]
            ids, scores = ids[keep], scores[keep]
        return ids, scores

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
