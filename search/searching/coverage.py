"""Coverage over time: how many stories up to three queries find per day, week, month or
year, broken down by source or topic, as counts or as a share of all stories.

Built from the same numpy columns as the facets and the timeline (``facets.FacetColumns``):
each query's matches (``results.matches``) become bucket numbers, and every series is one
``bincount`` over a mask of them. The stories under the request's filters without query
text are counted the same way: each bucket's total, and the denominator of a share (per
source or topic with a breakdown, so that a big outlet does not drown a small one).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np

from search.coverage_models import (
    INTERVALS,
    Coverage,
    CoverageQuery,
    CoverageRequest,
    CoverageSeries,
    Interval,
)
from search.models import Bucket
from search.searching import results
from search.searching.budget import Budget
from search.searching.facets import FacetColumns, bucket_keys, bucket_starts, choose_interval
from search.searching.generation import Generation

MAX_BUCKETS = 1000
"""A chart of more bars than this takes the next longer interval (with a notice)."""
TOP_VALUES = 5
"""With a breakdown, the values of most stories charted (matched by any query, with a date)
get a series each; the rest share one."""


def coverage(gen: Generation, request: CoverageRequest, now: datetime) -> Coverage:
    """The chart's data: one series per query, or per query and top value with ``by``."""
    columns = gen.columns
    notices: list[str] = []

    def matches(q: str) -> np.ndarray:
        budget = Budget()  # each query its own: one slow query does not cut the others short
        ids = results.matches(gen, replace(request.search, q=q), now, budget).ids
        if (cut := budget.notice()) is not None:
            notices.append(f"{q}: {cut}")
        return ids

    found = [matches(q) for q in request.queries]
    base = matches("")
    queries = tuple(
        CoverageQuery(q, len(ids), int(len(ids) - columns.dated[ids].sum()))
        for q, ids in zip(request.queries, found, strict=True)
    )
    dated = [ids[columns.dated[ids]] for ids in found]
    days = np.concatenate([columns.days(ids) for ids in dated])
    if not len(days):
        interval = request.interval or "month"
        return Coverage(request, interval, (), queries, (), tuple(notices), gen.name)
    interval, lo, hi = _axis(int(days.min()), int(days.max()), request.interval, notices)
    axis = _Axis(columns, interval, lo, hi)
    starts = bucket_starts(lo, hi, interval)
    base = base[columns.dated[base]]
    everything = axis.counts(base)
    buckets = tuple(Bucket(starts[i], starts[i + 1], everything[i]) for i in range(hi - lo + 1))
    share = request.measure == "share"
    series: list[CoverageSeries] = []
    if request.by is None:
        for n, ids in enumerate(dated):
            series.append(CoverageSeries(n, None, axis.counts(ids), everything if share else None))
    else:
        masks = _value_masks(columns, request.by, np.unique(np.concatenate(dated)))
        for n, ids in enumerate(dated):
            for value, others, mask in masks:
                of = axis.counts(base[mask[base]]) if share else None
                series.append(CoverageSeries(n, value, axis.counts(ids[mask[ids]]), of, others))
    return Coverage(request, interval, buckets, queries, tuple(series), tuple(notices), gen.name)


class _Axis:
    """Counts stories per bucket of one axis."""

    def __init__(self, columns: FacetColumns, interval: str, lo: int, hi: int) -> None:
        self.columns, self.interval, self.lo, self.size = columns, interval, lo, hi - lo + 1

    def counts(self, ids: np.ndarray) -> tuple[int, ...]:
        """How many of ``ids`` (all dated) fall in each bucket; those off the axis in none."""
        keys = bucket_keys(self.columns.days(ids), self.interval) - self.lo
        keys = keys[(keys >= 0) & (keys < self.size)]
        return tuple(np.bincount(keys, minlength=self.size).tolist())


def _axis(
    first: int, last: int, wanted: Interval | None, notices: list[str]
) -> tuple[Interval, int, int]:
    """The interval (the one asked for, else chosen by the span) and the first and last
    bucket numbers, from the first and the last day of the matches."""
    interval = wanted or choose_interval(first, last)
    ends = np.array([first, last])
    while True:
        lo, hi = (int(k) for k in bucket_keys(ends, interval))
        if hi - lo < MAX_BUCKETS or interval == INTERVALS[-1]:
            break
        longer = INTERVALS[INTERVALS.index(interval) + 1]
        notices.append(
            f"By {interval} the chart would have {hi - lo + 1:,} bars; it is drawn by {longer}."
        )
        interval = longer
    return interval, lo, hi


def _value_masks(
    columns: FacetColumns, by: str, matched: np.ndarray
) -> list[tuple[str | None, tuple[str, ...] | None, np.ndarray]]:
    """``(value, others, mask over every story)`` for the top values of ``by`` among the
    ``matched`` stories, then for the rest (stories with none of the top values), if any
    matched story is among them."""
    if by == "source":
        codes = np.bincount(columns.source_code[matched], minlength=len(columns.sources))
        counts = {v: int(n) for v, n in zip(columns.sources, codes.tolist(), strict=True) if n}
    else:
        counts = columns.topic_counts(matched)
    ranked = sorted(counts, key=lambda v: (-counts[v], v.lower()))
    top, rest = ranked[:TOP_VALUES], ranked[TOP_VALUES:]
    masks = [(value, None, _has(columns, by, value)) for value in top]
    other = np.ones(columns.doc_count, dtype=bool)
    for _, _, mask in masks:
        other &= ~mask
    if other[matched].any():
        masks.append((None, tuple(sorted(rest, key=str.lower)), other))
    return masks


def _has(columns: FacetColumns, by: str, value: str) -> np.ndarray:
    """Whether each story has ``value`` as its source, or among its topics."""
    if by == "source":
        return columns.source_code == columns.sources.index(value)
    return columns.has_topic(value)
