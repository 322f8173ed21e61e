"""Whoosh's coordination bonus (``CoordMatcher``), emulated over whole arrays.

An ``Or`` with ``scale`` (the query parser's any-word mode) adds a bonus for each of its terms
a document holds. Whoosh computes it from the state of its matcher tree, which its scored
collector rebuilds every ``REPLACE_EVERY`` matches of a segment, dropping the terms whose
postings are used up; so the bonus depends on where each match falls in the sequence of
matches, and ``Matcher.run`` finds the matches first, then scores them again with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from whoosh import query as wq

REPLACE_EVERY = 10
"""Whoosh's scored collector rebuilds its matcher tree every this many matches."""

Matches = tuple[np.ndarray, np.ndarray]


class WhooshOnly(Exception):
    """A query shape whose scores only Whoosh's own matchers reproduce."""


def coordinated(
    q: wq.Or,
    ids: np.ndarray,
    scores: np.ndarray,
    checkpoints: Matches,
    starts: np.ndarray,
    held: Callable[[str, str], np.ndarray | None],
) -> np.ndarray:
    """The scores of ``q``'s matches ``ids`` with Whoosh's coordination bonus.

    ``CoordMatcher`` counts the term matchers of its tree (``termcount``) and those on the
    document (``matching``). The collector rebuilds the tree every ``REPLACE_EVERY`` matches of
    a segment, dropping the terms whose postings are used up, and the count is taken again: so
    ``termcount`` is the number of terms with a live posting at or after the last rebuild's
    match, in the same segment. ``held(field, text)``: a term's documents, ``None`` for a term
    left out (the budget ran out before its postings were read)."""
    segment = np.searchsorted(starts, ids, side="right") - 1
    since = _checkpoint_of(ids, segment, checkpoints, starts)
    matching = np.zeros(len(ids), dtype=np.int64)
    termcount = np.zeros(len(ids), dtype=np.int64)
    for fieldname, text in list(_leaf_terms(q)):
        docs = held(fieldname, text)
        if docs is None:
            continue
        matching += np.isin(ids, docs, assume_unique=True)
        termcount += _last_in_segment(docs, starts)[segment] >= since
    return (scores + (matching - 1) / (termcount - q.scale) ** 2) * ((termcount - 1) / termcount)


def checkpoints(ids: np.ndarray, starts: np.ndarray) -> Matches:
    """The matches, and for each the match at which Whoosh last rebuilt its tree."""
    segment = np.searchsorted(starts, ids, side="right") - 1
    first = np.searchsorted(segment, segment, side="left")
    place = np.arange(len(ids)) - first
    return ids, ids[first + place // REPLACE_EVERY * REPLACE_EVERY]


def has_coordination(q: wq.Query) -> bool:
    if isinstance(q, wq.Or) and q.scale and len(q.subqueries) > 1:
        return True
    return any(has_coordination(child) for child in q.children())


def _last_in_segment(ids: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The last of ``ids`` in each segment (-1 for none)."""
    ends = np.searchsorted(ids, starts[1:], side="left")
    ends = np.append(ends, len(ids))
    padded = np.concatenate(([-1], ids.astype(np.int64)))
    last = padded[ends]
    first = np.concatenate(([0], ends[:-1]))
    return np.where(ends > first, last, -1)


def _leaf_terms(q: wq.Or) -> Iterator[tuple[str, str]]:
    """The terms whose matchers a coordinated ``Or`` counts; other shapes are Whoosh's."""
    for sub in q.subqueries:
        if isinstance(sub, wq.Term):
            yield sub.fieldname, str(sub.text)
        elif isinstance(sub, wq.Or):
            yield from _leaf_terms(sub)
        else:
            raise WhooshOnly(sub)


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
