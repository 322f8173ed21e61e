"""The coverage chart's data: matches over time, by source or topic, for up to three queries
(``search.searching.coverage`` computes it; ``search.interface.coverage`` and the web's
coverage page show it). Kept apart from ``search.models`` only for size; it imports from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from search.models import Bucket, SearchRequest

Interval = Literal["day", "week", "month", "year"]
INTERVALS: tuple[Interval, ...] = ("day", "week", "month", "year")
BREAKDOWNS = ("source", "topic")
MEASURES = ("count", "share")
MAX_QUERIES = 3


@dataclass(frozen=True, slots=True)
class CoverageRequest:
    """A coverage chart: the queries (sharing ``search``'s filters), the interval, the
    breakdown and the measure. Values are already validated (``search.interface.coverage``)."""

    search: SearchRequest
    """The filters (and ``match``) every query runs under; its ``q`` is the first query."""
    queries: tuple[str, ...] = ("",)
    """One to ``MAX_QUERIES`` query texts; ``""`` counts every story under the filters."""
    interval: Interval | None = None
    """``None``: chosen from the span of the matches' dates."""
    by: str | None = None
    """``source``, ``topic`` or ``None`` (one series per query)."""
    measure: str = "count"
    """``count``, or ``share``: of all stories under the same filters (per source or topic
    with a breakdown) in the interval."""


@dataclass(frozen=True, slots=True)
class CoverageQuery:
    q: str
    total: int
    """Every story the query finds under the filters, dated or not."""
    undated: int


@dataclass(frozen=True, slots=True)
class CoverageSeries:
    """One line (or row of bars) of the chart: a query, and one value of the breakdown."""

    query: int
    """Index into ``Coverage.queries``."""
    value: str | None
    """The source or topic; ``None`` without a breakdown, and for the other values."""
    counts: tuple[int, ...]
    """Matches per bucket: stories with the value (with none of the top values, for the
    series of the other values)."""
    of: tuple[int, ...] | None = None
    """With ``measure="share"``: all stories of the same value under the filters, per bucket."""
    others: tuple[str, ...] | None = None
    """For the series of the other values: the values it gathers (those with matches)."""

    @property
    def other(self) -> bool:
        return self.others is not None

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def shares(self) -> tuple[float | None, ...]:
        """``counts / of`` per bucket (``None`` where ``of`` is 0, or without ``of``)."""
        if self.of is None:
            return tuple(None for _ in self.counts)
        return tuple(c / o if o else None for c, o in zip(self.counts, self.of, strict=True))


@dataclass(frozen=True, slots=True)
class Coverage:
    request: CoverageRequest
    interval: Interval
    buckets: tuple[Bucket, ...]
    """The axis: every interval from the first match to the last; a bucket's ``count`` is
    every story under the filters in it, matching or not."""
    queries: tuple[CoverageQuery, ...]
    series: tuple[CoverageSeries, ...]
    notices: tuple[str, ...] = ()
    generation: str = ""
