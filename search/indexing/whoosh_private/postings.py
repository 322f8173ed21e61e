"""Posting lists, field lengths and deleted documents, read from a segment's files.

Whoosh's matchers step through a posting list one document at a time in Python; these read it a
block at a time into numpy arrays, through the block matcher's private members (see the list in
this package's docstring). ``search.searching.matching`` builds its whole-array query evaluation
on them; ``count_postings`` is what ``newsdex check`` reads every block with.
"""

from __future__ import annotations

from array import array
from itertools import chain
from pickle import loads
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from search.indexing.whoosh_private import column_arrays
from search.indexing.whoosh_private.segment_writer import unpack_values

_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_COUNT_BYTES = 4
"""Whoosh's ``Positions`` format starts each posting's value with a 4-byte count."""


def live_mask(leaves: list[tuple[Any, int]], count: int) -> np.ndarray:
    """Which documents are not deleted, from each segment's set of deleted documents."""
    live = np.ones(count, dtype=bool)
    for leaf, offset in leaves:
        if leaf.has_deletions():
            deleted = np.fromiter(leaf.segment().deleted_docs(), dtype=np.int64)
            live[deleted + offset] = False
    return live


def term_info(leaf: Any, fieldname: str, btext: bytes) -> Any | None:
    """The term's entry in a segment's term table, or ``None``: one lookup, where asking
    ``leaf.postings()`` costs two and a set of the deleted documents."""
    try:
        return leaf._terms.term_info(fieldname, btext)
    except (TermNotFound, KeyError):  # KeyError: a field the segment never indexed
        return None


def read_postings(
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


def field_lengths(leaves: list[Any], fieldname: str) -> np.ndarray:
    """Every document's length of the field as Whoosh reads it back (one byte, decoded), over
    the segments ``leaves`` in order."""
    parts = []
    for leaf in leaves:
        count = leaf.doc_count_all()
        perdoc = leaf._perdoc  # lengths live in a hidden column the schema does not name
        if perdoc.has_column(_lenfield(fieldname)):
            column = perdoc.column_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            raw = column_arrays.numeric(column, count).astype(np.uint8)
            parts.append(_LENGTH_OF_BYTE[raw])
        else:
            parts.append(np.ones(count, dtype=np.float64))  # Whoosh's default of 1
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float64)


def count_postings(matcher: Any, count: int) -> int:
    """How many postings ``matcher`` holds, having read each block's ids, weights and values;
    ``ValueError`` when an id is out of order or beyond the segment."""
    n = 0
    last = -1
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        # Whoosh's block matcher: read a block at a time (a posting at a time is 10x slower).
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            matcher._read_values()
            ids = matcher._ids
            if len(ids) != matcher._blocklength or len(matcher._values) != len(ids):
                raise ValueError("a block's ids and values differ in number")
            last = _check_ids(ids, last, count)
            n += len(ids)
            matcher._i = matcher._blocklength
            matcher._next_block()
        return n
    while matcher.is_active():  # inlined postings: Whoosh's all_items() skips some of these
        last = _check_ids((matcher.id(),), last, count)
        matcher.weight()
        matcher.value()
        matcher.next()
        n += 1
    return n


def _check_ids(ids: Any, last: int, count: int) -> int:
    for docnum in ids:
        if not last < docnum < count:
            raise ValueError(f"document number {docnum} after {last} (the segment has {count:,})")
        last = docnum
    return last


def position_keys(docnums: np.ndarray, values: list[bytes]) -> np.ndarray:
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
