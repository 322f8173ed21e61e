"""``SearchResults`` as the search page shows them: facet checkboxes, filter chips, and the
coverage timeline's bars, each with the URL it leads to. The JSON side has ``serialize``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from flask import url_for

from search.interface.params import toggle_url, url_for_request
from search.models import FACETS, Bucket, FacetCount, Histogram, SearchRequest, SearchResults
from web.templating import bucket_label, dom_id, human_day, plural

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
    in_query: str | None = None
    """Ticked by the query text (``source:harbour``): the URL of the search without it."""


def facet_lists(
    path: str, results: SearchResults, req: SearchRequest, labels: dict[str, str]
) -> dict[str, tuple[list[FacetItem], list[FacetItem], int]]:
    """Per facet: the values listed, those under "more…", and how many are left out (beyond
    ``FACET_MAX``); ticked values are always listed."""
    lists = {}
    held = {
        (f.facet, value): url_for_request(path, req, q=f.without)
        for f in results.query.filters
        for value in f.values
    }
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
            in_query = held.get((name, c.value))
            item = FacetItem(c.value, label, c.count, c.selected, dom_id(name, c.value), in_query)
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
        found.append({"name": "from", "value": human_day(req.date_from), "href": href})
    if req.date_to:
        href = url_for_request(path, req, date_to=None)
        found.append({"name": "to", "value": human_day(req.date_to), "href": href})
    if req.match == "any":
        href = url_for_request(path, req, match="all")
        found.append({"name": "match", "value": "any word", "href": href})
    return found


def story_url(req: SearchRequest, story_id: str) -> str:
    """A story's page, carrying the whole search it was found by (for the way back)."""
    return url_for_request(url_for("pages.story", story_id=story_id), req)


def with_topic(path: str, req: SearchRequest, topic: str) -> str:
    """The search ``req`` narrowed to one more topic (the story page's topic links)."""
    topics = req.topics if topic in req.topics else (*req.topics, topic)
    return url_for_request(path, req, topics=topics)


def query_chips(
    path: str, req: SearchRequest, results: SearchResults, labels: dict[str, str]
) -> list[dict]:
    """The filters written in the query text, each with the URL of the text without it."""
    found = []
    for held in results.query.filters:
        shown = [labels.get(v, v) for v in held.values] if held.facet == "topic" else held.values
        value = " or ".join(shown) if shown else held.typed.split(":", 1)[-1]
        href = url_for_request(path, req, q=held.without)
        found.append({"name": held.facet, "value": value, "href": href, "in_query": True})
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
    """Narrow the dates to one timeline bar's period: a month bar to that whole month."""
    return url_for_request(path, req, date_from=bucket.start, date_to=bucket.end - timedelta(1))


@dataclass(frozen=True, slots=True)
class DateLink:
    """A way to change the dates in one click: a preset, or zooming out."""

    key: str
    """Stable across responses, so the keyboard focus can come back to it."""
    label: str
    href: str
    current: bool = False


PRESETS = (("day", 1), ("week", 7), ("month", 30), ("year", 365))
"""Preset spans, in days up to and including the newest story's day."""


def date_presets(path: str, req: SearchRequest, span: tuple[date, date] | None) -> list[DateLink]:
    """The past day, week, month and year, counted back from the index's newest story (an
    archive's "now"), and its whole span (no dates at all)."""
    if span is None:
        return []
    links = []
    for name, days in PRESETS:
        start = max(span[1] - timedelta(days - 1), span[0])
        current = (req.date_from, req.date_to) == (start, span[1])
        href = url_for_request(path, req, date_from=start, date_to=span[1])
        links.append(DateLink(f"preset-{name}", f"past {name}", href, current))
        if start == span[0]:
            break  # a longer preset would be the same span
    everything = url_for_request(path, req, date_from=None, date_to=None)
    whole = not (req.date_from or req.date_to)
    links.append(DateLink("preset-all", "all dates", everything, whole))
    return links


def zoom_out(path: str, req: SearchRequest) -> DateLink | None:
    """Widen the dates one step: a day or a week to its month, up to a month to its year,
    anything longer to all dates."""
    if not (req.date_from or req.date_to):
        return None
    if req.date_from and req.date_to:
        days = (req.date_to - req.date_from).days + 1
        first = req.date_from
        if days <= 7 and first.month == req.date_to.month:
            end = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            month = f"{first:%B %Y}"
            href = url_for_request(
                path, req, date_from=first.replace(day=1), date_to=end - timedelta(1)
            )
            return DateLink("zoom-out", f"Zoom out to {month}", href)
        if days <= 31 and first.year == req.date_to.year:
            href = url_for_request(
                path, req, date_from=date(first.year, 1, 1), date_to=date(first.year, 12, 31)
            )
            return DateLink("zoom-out", f"Zoom out to {first.year}", href)
    href = url_for_request(path, req, date_from=None, date_to=None)
    return DateLink("zoom-out", "Zoom out to all dates", href)


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
