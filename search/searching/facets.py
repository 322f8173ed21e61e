"""Facets and the date histogram, counted with numpy over per-story column arrays.

The columns (source, kind, topics, published) are read once per index generation into arrays
indexed by document number. A search hands over the numbers of the stories its text matched;
each filter becomes a boolean mask over them, the results are the stories passing every mask,
and each facet is counted over the stories passing every mask *but its own*: ticking two
sources shows stories from either, and the source list keeps the counts of the other filters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from search.coverage_models import Interval
from search.indexing.whoosh_private import column_arrays
from search.models import Bucket, FacetCount, Histogram, SearchRequest

_EPOCH = datetime(1970, 1, 1)
_US_PER_DAY = 86_400 * 1_000_000
# Whoosh stores a datetime as microseconds since 0001-01-01.
_EPOCH_LONG = (_EPOCH - datetime.min) // timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Filters:
    """Masks over one match set, one per facet, plus the date range."""

    source: np.ndarray
    topic: np.ndarray
    kind: np.ndarray
    dates: np.ndarray

    def all(self) -> np.ndarray:
        return self.source & self.topic & self.kind & self.dates

    def all_but(self, facet: str) -> np.ndarray:
        masks = [m for name, m in self._named() if name != facet]
        out = masks[0].copy()
        for m in masks[1:]:
            out &= m
        return out

    def _named(self) -> list[tuple[str, np.ndarray]]:
        return [
            ("source", self.source),
            ("topic", self.topic),
            ("kind", self.kind),
            ("dates", self.dates),
        ]


class FacetColumns:
    """The facet fields of every story of one generation, as arrays."""

    def __init__(
        self,
        reader: Any,
        topic_labels: dict[str, str],
        topic_docs: Callable[[str], np.ndarray],
    ) -> None:
        """``topic_docs(topic)``: the stories filed under a topic (its posting list)."""
        count = reader.doc_count_all()
        self.doc_count = count
        self.sources, self.source_code = _ref_codes(reader, "source", count)
        self.kinds, self.kind_code = _ref_codes(reader, "kind", count)
        self.topic_labels = topic_labels
        self._topic_index, self._topic_docs, self._topic_codes = _topics(reader, topic_docs)
        self.topics = list(self._topic_index)
        self.published, self.dated = published_column(reader, count)
        self._topic_masks: dict[int, np.ndarray] = {}

    # --- filtering ---------------------------------------------------------------------------

    def filters(
        self,
        ids: np.ndarray,
        request: SearchRequest,
        date_from: datetime | None,
        date_to: datetime | None,
    ) -> Filters:
        """Masks over ``ids`` for the request's ticked values and the date range
        (``date_to`` exclusive)."""
        everything = np.ones(len(ids), dtype=bool)
        return Filters(
            source=self._values_mask(ids, self.source_code, self.sources, request.sources),
            kind=self._values_mask(ids, self.kind_code, self.kinds, request.kinds),
            topic=self._topic_mask(ids, request.topics) if request.topics else everything,
            dates=self._date_mask(ids, date_from, date_to),
        )

    def _values_mask(
        self, ids: np.ndarray, codes: np.ndarray, values: list[str], selected: Sequence[str]
    ) -> np.ndarray:
        if not selected:
            return np.ones(len(ids), dtype=bool)
        index = {v: i for i, v in enumerate(values)}
        wanted = [index[v] for v in selected if v in index]
        return np.isin(codes[ids], wanted)

    def _topic_mask(self, ids: np.ndarray, selected: Sequence[str]) -> np.ndarray:
        mask = np.zeros(len(ids), dtype=bool)
        for value in selected:
            code = self._topic_index.get(value)
            if code is not None:
                mask |= self._docs_with_topic(code)[ids]
        return mask

    def _docs_with_topic(self, code: int) -> np.ndarray:
        found = self._topic_masks.get(code)
        if found is None:
            found = np.zeros(self.doc_count, dtype=bool)
            found[self._topic_docs[self._topic_codes == code]] = True
            self._topic_masks[code] = found
        return found

    def _date_mask(
        self, ids: np.ndarray, date_from: datetime | None, date_to: datetime | None
    ) -> np.ndarray:
        if date_from is None and date_to is None:
            return np.ones(len(ids), dtype=bool)
        mask = self.dated[ids].copy()
        values = self.published[ids]
        if date_from is not None:
            mask &= values >= _to_long(date_from)
        if date_to is not None:
            mask &= values < _to_long(date_to)
        return mask

    # --- counting ----------------------------------------------------------------------------

    def counts(
        self, ids: np.ndarray, filters: Filters, request: SearchRequest
    ) -> dict[str, tuple[FacetCount, ...]]:
        """Each facet's values with counts under every filter but its own."""
        source_ids = ids[filters.all_but("source")]
        kind_ids = ids[filters.all_but("kind")]
        topic_ids = ids[filters.all_but("topic")]
        return {
            "source": _listing(
                self.sources,
                np.bincount(self.source_code[source_ids], minlength=len(self.sources)),
                request.sources,
            ),
            "topic": _listing(
                self.topics,
                self._topic_counts(topic_ids),
                request.topics,
                self.topic_labels,
            ),
            "kind": _listing(
                self.kinds,
                np.bincount(self.kind_code[kind_ids], minlength=len(self.kinds)),
                request.kinds,
            ),
        }

    def _topic_counts(self, ids: np.ndarray) -> np.ndarray:
        if not len(self._topic_docs):
            return np.zeros(len(self.topics), dtype=np.int64)
        chosen = np.zeros(self.doc_count, dtype=bool)
        chosen[ids] = True
        return np.bincount(self._topic_codes[chosen[self._topic_docs]], minlength=len(self.topics))

    def histogram(self, ids: np.ndarray) -> Histogram:
        """Matches over time, in buckets of a day, week, month or year by their span."""
        dated = self.dated[ids]
        undated = int(len(ids) - dated.sum())
        if not dated.any():
            return Histogram("month", (), undated)
        days = self.days(ids[dated])
        first, last = int(days.min()), int(days.max())
        interval = choose_interval(first, last)
        keys = bucket_keys(days, interval)
        lo, hi = int(keys.min()), int(keys.max())
        starts = bucket_starts(lo, hi, interval)
        counts = np.bincount(keys - lo, minlength=len(starts))
        buckets = tuple(
            Bucket(starts[i], starts[i + 1], int(counts[i])) for i in range(len(starts) - 1)
        )
        return Histogram(interval, buckets, undated)

    def days(self, ids: np.ndarray) -> np.ndarray:
        """Each (dated) story's day, as days since 1970-01-01."""
        return (self.published[ids] - _EPOCH_LONG) // _US_PER_DAY

    def topic_counts(self, ids: np.ndarray) -> dict[str, int]:
        """How many of ``ids`` carry each topic (those with any)."""
        counts = self._topic_counts(ids).tolist()
        return {topic: n for topic, n in zip(self.topics, counts, strict=True) if n}

    def has_topic(self, topic: str) -> np.ndarray:
        """Whether each story (by document number) carries ``topic``."""
        code = self._topic_index.get(topic)
        if code is None:
            return np.zeros(self.doc_count, dtype=bool)
        return self._docs_with_topic(code)


def choose_interval(first: int, last: int) -> Interval:
    """The interval for dates from day ``first`` to day ``last`` (days since 1970)."""
    span = last - first
    if span > 366 * 10:
        return "year"
    return "day" if span <= 60 else "week" if span <= 366 else "month"


def bucket_keys(days: np.ndarray, interval: str) -> np.ndarray:
    """Each day's bucket number: consecutive numbers for consecutive buckets."""
    if interval == "day":
        return days
    if interval == "week":
        return (days - 4) // 7  # 1970-01-01 was a Thursday; weeks start on Monday
    unit = "M" if interval == "month" else "Y"
    return days.astype("datetime64[D]").astype(f"datetime64[{unit}]").astype(np.int64)


def bucket_starts(lo: int, hi: int, interval: str) -> list[date]:
    """The first days of buckets ``lo`` to ``hi``, and the day after the last."""
    if interval == "day":
        return [_date(k) for k in range(lo, hi + 2)]
    if interval == "week":
        return [_date(k * 7 + 4) for k in range(lo, hi + 2)]
    unit = "M" if interval == "month" else "Y"
    return [np.datetime64(k, unit).astype("datetime64[D]").astype(date) for k in range(lo, hi + 2)]


def _date(days: int) -> date:
    return date(1970, 1, 1) + timedelta(days=days)


def _to_long(value: datetime) -> int:
    return (value - datetime.min) // timedelta(microseconds=1)


def from_long(value: int) -> datetime:
    """The datetime of one of Whoosh's microsecond counts."""
    return datetime.min + timedelta(microseconds=int(value))


def _listing(
    values: list[str],
    counts: np.ndarray,
    selected: Sequence[str],
    labels: dict[str, str] | None = None,
) -> tuple[FacetCount, ...]:
    """Values with hits, most first, plus every selected value even at zero."""
    labels = labels or {}
    index = {v: i for i, v in enumerate(values)}
    shown = {v for v, c in zip(values, counts.tolist(), strict=True) if c and v}
    shown.update(selected)
    rows = [
        FacetCount(
            value=v,
            count=int(counts[index[v]]) if v in index else 0,
            selected=v in selected,
            label=labels.get(v, ""),
        )
        for v in shown
    ]
    rows.sort(key=lambda r: (-r.count, r.value.lower()))
    return tuple(rows)


def _ref_codes(reader: Any, name: str, count: int) -> tuple[list[str], np.ndarray]:
    """Distinct values over all segments, and each story's index into them."""
    values: dict[str, int] = {}
    parts = []
    for leaf, _ in reader.leaf_readers():
        leaf_count = leaf.doc_count_all()
        if not leaf.has_column(name):
            local, codes = [""], np.zeros(leaf_count, dtype=np.int32)
        else:
            local, codes = column_arrays.refs(leaf.column_reader(name, translate=False), leaf_count)
        remap = np.array([values.setdefault(v, len(values)) for v in local], dtype=np.int32)
        parts.append(remap[codes] if len(codes) else codes)
    codes = np.concatenate(parts) if parts else np.zeros(count, dtype=np.int32)
    return list(values), codes


def _topics(
    reader: Any, topic_docs: Callable[[str], np.ndarray]
) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    """Topic index, and the (document, topic code) pairs as two parallel arrays, from the
    ``topics`` field's posting lists (a few hundred lists at most, read by numpy)."""
    index: dict[str, int] = {}
    docs: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    names = (
        [t.decode("utf-8") for t in reader.lexicon("topics")] if "topics" in reader.schema else []
    )
    for topic in names:
        ids = topic_docs(topic)
        if len(ids):
            code = index.setdefault(topic, len(index))
            docs.append(ids.astype(np.int32))
            codes.append(np.full(len(ids), code, dtype=np.int32))
    if not docs:
        return index, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)
    return index, np.concatenate(docs), np.concatenate(codes)


def published_column(reader: Any, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Each story's date as Whoosh's microsecond count, and whether it has one (deleted
    stories included: callers mask them)."""
    if not reader.has_column("published"):
        return np.zeros(count, dtype=np.int64), np.zeros(count, dtype=bool)
    raw = np.concatenate(
        [
            column_arrays.numeric(
                leaf.column_reader("published", translate=False), leaf.doc_count_all()
            ).astype(np.uint64)
            for leaf, _ in reader.leaf_readers()
        ]
    )
    # A story without a date reads as the column's default (the largest unsigned value),
    # which no real news date comes near.
    dated = (raw > _to_long(datetime(1000, 1, 1))) & (raw < _to_long(datetime(9000, 1, 1)))
    return np.where(dated, raw, 0).astype(np.int64), dated
