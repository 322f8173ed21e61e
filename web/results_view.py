"""``SearchResults`` as the search page shows them: facet checkboxes, filter chips, and the
coverage timeline's bars, each with the URL it leads to. The JSON side has ``serialize``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from flask import url_for

from search.interface.params import toggle_url, url_for_request
from search.models import FACETS, Bucket, FacetCount, Histogram, SearchRequest, SearchResults
from web.templating import bucket_label, dom_id, plural

FACET_SHOWN = 6
"""Facet values listed before the rest go under "more…" (ticked values always show)."""
FACET_MAX = 30
"""At most this many values per facet (and the ticked ones); the long tail of a big corpus
(Reuters has 90 topics) is still reachable from the search box, ``topic:veg-oil``."""
TIMELINE_WIDTH, TIMELINE_HEIGHT = 720, 96
"""The timeline's own units (its SVG ``viewBox``); CSS stretches it to the column."""


@dataclass(frozen=True, slots=True)
class FacetItem:
    """One value of a facet as its checkbox shows it."""

    value: str
    label: str
    count: int
    selected: bool
    dom_id: str
    """The same in every response, so htmx can put the keyboard focus back after a swap."""


def facet_lists(
    results: SearchResults, req: SearchRequest, labels: dict[str, str]
) -> dict[str, tuple[list[FacetItem], list[FacetItem], int]]:
    """Per facet: the values listed, those under "more…", and how many are left out (beyond
    ``FACET_MAX``); ticked values are always listed."""
    lists = {}
    for name in FACETS:
        counts = list(results.facets.get(name, ()))
        listed = {c.value for c in counts}
        # A ticked value stays visible (and untickable) even when nothing matches it now.
        counts += [FacetCount(v, 0, True) for v in req.selected(name) if v not in listed]
        shown: list[FacetItem] = []
        more: list[FacetItem] = []
        left = 0
        for i, c in enumerate(counts):
            if i >= FACET_MAX and not c.selected:
                left += 1
                continue
            label = labels.get(c.value, c.value) if name == "topic" else c.value
            item = FacetItem(c.value, label, c.count, c.selected, dom_id(name, c.value))
            (shown if i < FACET_SHOWN or c.selected else more).append(item)
        lists[name] = (shown, more, left)
    return lists


def chips(path: str, req: SearchRequest, labels: dict[str, str]) -> list[dict]:
    """The active filters, each with the URL that drops it."""
    found = [
        {"name": "source", "value": v, "href": toggle_url(path, req, "source", v)}
        for v in req.sources
    ]
    found += [
        {"name": "topic", "value": labels.get(v, v), "href": toggle_url(path, req, "topic", v)}
        for v in req.topics
    ]
    found += [
        {"name": "kind", "value": v, "href": toggle_url(path, req, "kind", v)} for v in req.kinds
    ]
    if req.date_from:
        href = url_for_request(path, req, date_from=None)
        found.append({"name": "from", "value": req.date_from.isoformat(), "href": href})
    if req.date_to:
        href = url_for_request(path, req, date_to=None)
        found.append({"name": "to", "value": req.date_to.isoformat(), "href": href})
    if req.match == "any":
        href = url_for_request(path, req, match="all")
        found.append({"name": "match", "value": "any word", "href": href})
    return found


def topic_labels(results: SearchResults | None) -> dict[str, str]:
    """Topic id -> label, as the index's taxonomy names them: the topic facet carries a label
    for every topic it counts and every ticked one."""
    if not results:
        return {}
    return {c.value: c.label for c in results.facets.get("topic", ()) if c.label}


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of the coverage timeline, in the chart's own units (``TIMELINE_*``)."""

    x: float
    width: float
    """The clickable column: the whole height of the chart."""
    bar_x: float
    bar_width: float
    height: float
    tip: str
    href: str | None
    """Narrows the dates to the bar's period; None for an empty period."""


def timeline(path: str, req: SearchRequest, histogram: Histogram) -> list[Bar]:
    """The histogram as bars; the tallest fills the chart, a non-empty one is at least 2 high."""
    buckets = histogram.buckets
    if not buckets:
        return []
    peak = max(max(b.count for b in buckets), 1)
    step = TIMELINE_WIDTH / len(buckets)
    gap = step * 0.2 if step > 4 else 0  # thin bars touch: a gap would be all there is
    bars = []
    for i, bucket in enumerate(buckets):
        height = max((TIMELINE_HEIGHT - 4) * bucket.count / peak, 2) if bucket.count else 0
        period = bucket_label(bucket, histogram.interval)
        tip = f"{period}: {plural(bucket.count, 'story', 'stories')}"
        href = _bucket_url(path, req, bucket) if bucket.count else None
        x = i * step
        bars.append(
            Bar(
                *(round(n, 2) for n in (x, step, x + gap / 2, step - gap, height)),
                tip=tip,
                href=href,
            )
        )
    return bars


def _bucket_url(path: str, req: SearchRequest, bucket: Bucket) -> str:
    """Narrow the dates to one timeline bar, inside any dates already chosen."""
    start, last = bucket.start, bucket.end - timedelta(days=1)
    if req.date_from and req.date_from > start:
        start = req.date_from
    if req.date_to and req.date_to < last:
        last = req.date_to
    return url_for_request(path, req, date_from=start, date_to=last)


def elsewhere(req: SearchRequest) -> dict[str, str]:
    """The same search (any page) elsewhere: as a feed (``feed_url``, ``feed_title``),
    every match as CSV and JSON Lines (``download_csv``, ``download_jsonl``), and on the
    coverage page (``coverage_url``)."""
    first = replace(req, page=1, per_page=10)
    return {
        "feed_url": url_for_request(url_for("exports.feed"), replace(first, sort="relevance")),
        "feed_title": f"newsdex: {req.q}" if req.q else "newsdex: all stories",
        "download_csv": url_for_request(url_for("exports.export_matches", format="csv"), first),
        "download_jsonl": url_for_request(url_for("exports.export_matches", format="jsonl"), first),
        "coverage_url": url_for_request(url_for("coverage.page"), replace(first, sort="relevance")),
    }
