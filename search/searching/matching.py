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
from array import array
from collections import OrderedDict
from itertools import chain
from pickle import loads
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from search.indexing.whoosh_private import column_arrays
from search.indexing.whoosh_private.segment_writer import unpack_values
from search.searching.budget import Budget

B = 0.75
K1 = 1.2
CACHE_TERMS = 4096
CACHE_PHRASES = 1024
REPLACE_EVERY = 10
"""Whoosh's scored collector rebuilds its matcher tree every this many matches (see
``_coordinated``)."""
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_COUNT_BYTES = 4
"""Whoosh's ``Positions`` format starts each posting's value with a 4-byte count."""
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
        self.live = _live_mask(self.leaves, self.doc_count)
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
            ids, _, found = _read_segment(leaf, terminfo, fieldname, btext, local)
            held.append(ids + offset)
            values.extend(found)
        if not held:
            return np.zeros(0, dtype=np.int64)
        return _keys(np.concatenate(held), values)

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
            ids, weights, _ = _read_segment(leaf, terminfo, fieldname, btext, None)
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
            found = [_term_info(leaf, fieldname, btext) for leaf, _ in self.leaves]
            self._infos[key] = found  # dropped with the term's postings from the cache
        return found

    def _field_lengths(self, fieldname: str) -> np.ndarray:
        """Every document's length of the field as Whoosh reads it back (one byte, decoded)."""
        found = self._lengths.get(fieldname)
        if found is not None:
            return found
        parts = []
        for leaf, _ in self.leaves:
            count = leaf.doc_count_all()
            perdoc = leaf._perdoc  # lengths live in a hidden column the schema does not name
            if perdoc.has_column(_lenfield(fieldname)):
                column = perdoc.column_reader(_lenfield(fieldname), LENGTHS_COLUMN)
                raw = column_arrays.numeric(column, count).astype(np.uint8)
                parts.append(_LENGTH_OF_BYTE[raw])
            else:
                parts.append(np.ones(count, dtype=np.float64))  # Whoosh's default of 1
        found = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float64)
        self._lengths[fieldname] = found
        return found


def _live_mask(leaves: list[tuple[Any, int]], count: int) -> np.ndarray:
    """Which documents are not deleted, from each segment's set of deleted documents."""
    live = np.ones(count, dtype=bool)
    for leaf, offset in leaves:
        if leaf.has_deletions():
            deleted = np.fromiter(leaf.segment().deleted_docs(), dtype=np.int64)
            live[deleted + offset] = False
    return live


def _term_info(leaf: Any, fieldname: str, btext: bytes) -> Any | None:
    """The term's entry in a segment's term table, or ``None``: one lookup, where asking
    ``leaf.postings()`` costs two and a set of the deleted documents."""
    try:
        return leaf._terms.term_info(fieldname, btext)
    except (TermNotFound, KeyError):  # KeyError: a field the segment never indexed
        return None


def _read_segment(
    leaf: Any, terminfo: Any, fieldname: str, btext: bytes, keep: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    """A segment's postings for one term, deleted documents included (the caller drops
    them with a mask; Whoosh's ``FilterMatcher`` for them hides the block reader). With
    ``keep`` (sorted ids), only the postings of those documents, with their raw values."""
    if terminfo.is_inlined():
        ids, weights, values = terminfo.inlined_postings()
        id_array = np.array(ids, dtype=np.int64)
        weight_array = np.array(weights, dtype=np.float32)
        if keep is None:
            return id_array, weight_array, []
        wanted = np.flatnonzero(np.isin(id_array, keep, assume_unique=True))
        return id_array[wanted], weight_array[wanted], [values[i] for i in wanted.tolist()]
    m = leaf.codec().postings_reader(
        leaf._terms._postfile, terminfo, leaf.schema[fieldname].format, term=(fieldname, btext)
    )
    return _read_blocks(m, keep)


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


def _read_blocks(m: Any, keep: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    """Ids and weights of every posting of a block matcher; with ``keep`` (sorted ids), the
    ids, weights and raw values of the postings of those documents only."""
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    blocks: list[Any] = []
    last = -1
    while m.is_active():
        if keep is not None:
            # A block's header gives its last id: blocks holding no wanted id stay packed.
            lo, hi = np.searchsorted(keep, (last, m._maxid), side="right")
            last = m._maxid
            if lo == hi:
                m._next_block()
                continue
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
            blocks.append(raw_values)
        m._next_block()
    if not id_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), []
    ids, weights = np.concatenate(id_parts), np.concatenate(weight_parts)
    if keep is None:
        return ids, weights, []
    wanted = np.flatnonzero(np.isin(ids, keep, assume_unique=True))
    values = _values_at(blocks, [len(p) for p in id_parts], wanted)
    return ids[wanted], weights[wanted], values


def _values_at(blocks: list[Any], sizes: list[int], wanted: np.ndarray) -> list[bytes]:
    """The raw values at positions ``wanted`` (sorted) of the postings of ``blocks``, cut
    out of each block's blob without splitting the rest."""
    out: list[bytes] = []
    bounds = np.cumsum([0, *sizes])
    for n, packed in enumerate(blocks):
        lo, hi = np.searchsorted(wanted, bounds[n : n + 2])
        if lo == hi:
            continue
        local = wanted[lo:hi] - bounds[n]
        if isinstance(packed, tuple) and len(packed) == 2 and isinstance(packed[1], array):
            blob, lengths = packed
            sizes_here = np.frombuffer(lengths, dtype=np.dtype(lengths.typecode))
            ends = np.cumsum(sizes_here, dtype=np.int64)
            starts = ends - sizes_here
            out.extend(
                blob[a:b] for a, b in zip(starts[local].tolist(), ends[local].tolist(), strict=True)
            )
        else:
            values = unpack_values(packed)
            out.extend(values[i] for i in local.tolist())
    return out
