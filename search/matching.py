"""Run a parsed Whoosh query as whole-array operations: every matching story and its score.

Whoosh's own matchers step through postings one document at a time in Python, which is where
a faceted search spends its time when it needs *all* matches (facet counts and the histogram
count every match, not just the top ten). Here each term's posting list is read a block at a
time into numpy arrays, scored once with BM25F (cached for the life of the index generation),
and queries combine them with set operations. Phrases, whose positions only Whoosh decodes,
are checked by Whoosh on the documents that hold all their words.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable
from itertools import chain
from pickle import loads
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from search import column_arrays
from search.budget import Budget
from search.query import TEXT_FIELDS
from search.segment_writer import unpack_values

B = 0.75
K1 = 1.2
CACHE_TERMS = 4096
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)
_COUNT_BYTES = 4
"""Whoosh's ``Positions`` format starts each posting's value with a 4-byte count."""
EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_SCORES = np.zeros(0, dtype=np.float32)

Matches = tuple[np.ndarray, np.ndarray]
"""Sorted unique document numbers (int32) and their scores (float32)."""


class Matcher:
    """Whole-array query evaluation over one open index generation."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        reader = searcher.reader()
        self.reader = reader
        self.leaves: list[tuple[Any, int]] = list(reader.leaf_readers())
        self.doc_count = reader.doc_count_all()
        live = np.ones(self.doc_count, dtype=bool)
        if reader.has_deletions():
            for docnum in range(self.doc_count):
                if reader.is_deleted(docnum):
                    live[docnum] = False
        self.live = live
        self.live_ids = np.flatnonzero(live).astype(np.int32)
        self.live_count = int(live.sum())
        self._lengths = {name: self._field_lengths(name) for name in TEXT_FIELDS}
        self._avg = {
            name: max(reader.field_length(name) / max(self.live_count, 1), 1.0)
            for name in TEXT_FIELDS
        }
        self._cache: OrderedDict[tuple[str, str], Matches] = OrderedDict()
        self._budget: Budget | None = None

    def run(self, q: wq.Query, budget: Budget | None = None) -> Matches:
        """Every live document matching ``q`` with its score, sorted by document number.

        With a ``budget``, terms whose postings are not yet read when it runs out are left out
        of the query (as if not typed) and recorded in ``budget.skipped``."""
        self._budget = budget
        try:
            found = self._eval(q)
        finally:
            self._budget = None
        ids, scores = found if found is not None else (EMPTY_IDS, EMPTY_SCORES)
        if len(ids) and not self.live.all():
            keep = self.live[ids]
            ids, scores = ids[keep], scores[keep]
        return ids, scores

    def term(self, fieldname: str, text: str) -> Matches:
        """One term's postings and BM25F scores (zero for non-text fields)."""
        key = (fieldname, text)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        ids, weights = self._postings(fieldname, text)
        if fieldname in self._lengths and len(ids):
            lengths = self._lengths[fieldname][ids]
            idf = math.log(self.live_count / (len(ids) + 1)) + 1.0
            norm = K1 * ((1 - B) + B * lengths / self._avg[fieldname])
            scores = (idf * weights * (K1 + 1) / (weights + norm)).astype(np.float32)
        else:
            scores = np.zeros(len(ids), dtype=np.float32)
        found = (ids, scores)
        self._cache[key] = found
        if len(self._cache) > CACHE_TERMS:
            self._cache.popitem(last=False)
        return found

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Stories holding the term: the cached postings when read, else the term table
        (which counts deleted stories too, until a merge; close enough for weighting)."""
        found = self._cache.get((fieldname, text))
        if found is not None:
            return len(found[0])
        return self.reader.doc_frequency(fieldname, text)

    # --- evaluation -------------------------------------------------------------------------

    def _out_of_time(self, fieldname: str, text: str) -> bool:
        """Whether this term must be left out: time is up and its postings are not cached."""
        budget = self._budget
        if budget is None or (fieldname, text) in self._cache or not budget.expired():
            return False
        budget.skip(text)
        return True

    def _eval(self, q: wq.Query) -> Matches | None:
        """``None``: the part was left out for lack of time (it neither matches nor filters)."""
        if isinstance(q, wq.Term):
            if self._out_of_time(q.fieldname, str(q.text)):
                return None
            ids, scores = self.term(q.fieldname, str(q.text))
            return (ids, scores * q.boost) if q.boost != 1.0 else (ids, scores)
        if isinstance(q, wq.And):
            return self._and(_present(self._eval(s) for s in q.subqueries))
        if isinstance(q, wq.Or):
            parts = _present(self._eval(s) for s in q.subqueries)
            return self._or(parts, getattr(q, "scale", None)) if parts else None
        if isinstance(q, wq.AndNot):
            found = self._eval(q.a)
            banned = self._eval(q.b)
            if found is None or banned is None:
                return found
            ids, scores = found
            keep = ~np.isin(ids, banned[0], assume_unique=True)
            return ids[keep], scores[keep]
        if isinstance(q, wq.Not):
            banned = self._eval(q.query)
            if banned is None:
                return None
            ids = self.live_ids[~np.isin(self.live_ids, banned[0], assume_unique=True)]
            return ids, np.zeros(len(ids), dtype=np.float32)
        if isinstance(q, wq.AndMaybe):
            found, maybe = self._eval(q.a), self._eval(q.b)
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
            return self.live_ids, np.zeros(len(self.live_ids), dtype=np.float32)
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return EMPTY_IDS, EMPTY_SCORES
        ids = np.fromiter(q.docs(self.searcher), dtype=np.int32)  # ranges and the rare rest
        ids.sort()
        return ids, np.zeros(len(ids), dtype=np.float32)

    def _and(self, parts: list[Matches]) -> Matches | None:
        if not parts:
            return None
        parts.sort(key=lambda p: len(p[0]))
        ids, scores = parts[0]
        for other_ids, other_scores in parts[1:]:
            if not len(ids):
                break
            ids, here, there = np.intersect1d(
                ids, other_ids, assume_unique=True, return_indices=True
            )
            scores = scores[here] + other_scores[there]
        return ids, scores

    def _or(self, parts: list[Matches], scale: float | None) -> Matches:
        parts = [p for p in parts if len(p[0])]
        if not parts:
            return EMPTY_IDS, EMPTY_SCORES
        if len(parts) == 1 and not scale:
            return parts[0]
        all_ids = np.concatenate([p[0] for p in parts])
        ids, inverse = np.unique(all_ids, return_inverse=True)
        scores = np.bincount(inverse, weights=np.concatenate([p[1] for p in parts]))
        if scale:
            # Any-word matching ranks stories by how many of the words they hold, first.
            matched = np.bincount(inverse, minlength=len(ids))
            scores = scores * matched / len(parts)
        return ids.astype(np.int32), scores.astype(np.float32)

    def _phrase(self, q: wq.Phrase) -> Matches | None:
        if any(self._out_of_time(q.fieldname, w) for w in q.words):
            return None
        words = [self.term(q.fieldname, w) for w in q.words]
        candidates, scores = self._and(list(words)) or (EMPTY_IDS, EMPTY_SCORES)
        if not len(candidates) or len(q.words) < 2:
            return candidates, scores
        if q.slop != 1:
            confirmed = np.fromiter(q.docs(self.searcher), dtype=np.int32)
        else:
            confirmed = self._adjacent(q.fieldname, list(q.words), candidates)
        keep = np.isin(candidates, confirmed, assume_unique=True)
        return candidates[keep], scores[keep] * q.boost

    def _adjacent(self, fieldname: str, words: list[str], candidates: np.ndarray) -> np.ndarray:
        """The candidates in which ``words`` stand next to each other, in order.

        Each word's (document, position) pairs become one int64 key per occurrence, shifted
        back by the word's place in the phrase; a phrase starts wherever all keys agree."""
        starts: np.ndarray | None = None
        for place, word in enumerate(words):
            keys = self._position_keys(fieldname, word, candidates) - place
            starts = keys if starts is None else np.intersect1d(starts, keys)
            if not len(starts):
                break
        assert starts is not None
        return np.unique(starts >> 32).astype(np.int32)

    def _position_keys(self, fieldname: str, word: str, docs: np.ndarray) -> np.ndarray:
        keys: list[np.ndarray] = []
        btext = word.encode("utf-8")
        for leaf, offset in self.leaves:
            local = docs[(docs >= offset) & (docs < offset + leaf.doc_count_all())] - offset
            if not len(local) or (fieldname, btext) not in leaf:
                continue
            ids, _, values = _read_blocks(leaf.postings(fieldname, btext), local)
            held = ids[np.isin(ids, local, assume_unique=True)] + offset
            keys.append(_keys(held, values))
        return np.unique(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)

    # --- reading the index --------------------------------------------------------------------

    def _postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        id_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        btext = text.encode("utf-8") if isinstance(text, str) else text
        for leaf, offset in self.leaves:
            if (fieldname, btext) not in leaf:
                continue
            m = leaf.postings(fieldname, btext)
            ids, weights = _read_matcher(m)
            id_parts.append(ids + offset)
            weight_parts.append(weights)
        if not id_parts:
            return EMPTY_IDS, EMPTY_SCORES
        return (
            np.concatenate(id_parts).astype(np.int32),
            np.concatenate(weight_parts).astype(np.float32),
        )

    def _field_lengths(self, fieldname: str) -> np.ndarray:
        parts = []
        for leaf, _ in self.leaves:
            count = leaf.doc_count_all()
            perdoc = leaf._perdoc  # lengths live in a hidden column the schema does not name
            if perdoc.has_column(_lenfield(fieldname)):
                column = perdoc.column_reader(_lenfield(fieldname), LENGTHS_COLUMN)
                raw = column_arrays.numeric(column, count).astype(np.uint8)
                parts.append(_LENGTH_OF_BYTE[raw])
            else:
                parts.append(np.zeros(count, dtype=np.float32))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def _present(parts: Iterable[Matches | None]) -> list[Matches]:
    return [p for p in parts if p is not None]


def _keys(docnums: np.ndarray, values: list[bytes]) -> np.ndarray:
    """``docnum << 32 | position`` for every position in the encoded position lists.

    Whoosh stores a posting's positions as a 4-byte count and a pickled list of deltas; the
    lists are unpickled one by one (C speed) and summed up all at once."""
    deltas = [loads(value[_COUNT_BYTES:]) for value in values]
    lengths = np.fromiter(map(len, deltas), dtype=np.int64, count=len(deltas))
    flat = np.fromiter(chain.from_iterable(deltas), dtype=np.int64, count=int(lengths.sum()))
    running = np.cumsum(flat)
    starts = np.cumsum(lengths) - lengths
    before = np.concatenate(([0], running))[starts]
    positions = running - np.repeat(before, lengths)
    return (np.repeat(docnums.astype(np.int64), lengths) << 32) + positions


def _read_matcher(m: Any) -> tuple[np.ndarray, np.ndarray]:
    """All of a leaf matcher's postings, a block at a time where the format allows."""
    ids, weights, _ = _read_blocks(m, None)
    return ids, weights


def _read_blocks(m: Any, keep: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    """Ids and weights of every posting; with ``keep`` (sorted ids), also the raw values of
    the postings whose id is in ``keep``."""
    if not (hasattr(m, "_read_data") and hasattr(m, "_next_block")):
        return _read_slowly(m, keep)
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    values: list[Any] = []
    while m.is_active():
        m._read_data()
        raw_ids, raw_weights, raw_values = m._data[0], m._data[1], m._data[2]
        # Block ids are stored as deltas; numpy sums them instead of Whoosh's Python loop.
        ids = np.asarray(raw_ids, dtype=np.int64)
        if not m._byteids:
            ids = np.cumsum(ids)
        id_parts.append(ids)
        if raw_weights is None or isinstance(raw_weights, float):
            weight_parts.append(np.full(len(ids), raw_weights or 1.0, dtype=np.float32))
        else:
            weight_parts.append(np.asarray(raw_weights, dtype=np.float32))
        if keep is not None:
            values.extend(unpack_values(raw_values))
        m._next_block()
    if not id_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), values
    ids = np.concatenate(id_parts)
    if keep is not None:
        wanted = np.flatnonzero(np.isin(ids, keep, assume_unique=True))
        values = [values[i] for i in wanted.tolist()]
    return ids, np.concatenate(weight_parts), values


def _read_slowly(m: Any, keep: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    id_list, weight_list, values = [], [], []
    wanted = set(keep.tolist()) if keep is not None else None
    while m.is_active():  # inline postings: a handful at most
        docnum = m.id()
        id_list.append(docnum)
        weight_list.append(m.weight())
        if wanted is not None and docnum in wanted:
            values.append(m.value())
        m.next()
    return np.array(id_list, dtype=np.int64), np.array(weight_list, dtype=np.float32), values
