"""A ``Coverage`` as the coverage page draws it: panels of SVG bars or lines, axes with
their labels, a legend, each bar or point with the URL of the search narrowed to it.

All geometry is computed here, in the chart's own units (``WIDTH`` x ``HEIGHT``, its
``viewBox``); the template only writes attributes, and colours come from classes in
``coverage.css`` (the CSP forbids ``style=``). Without a breakdown the queries share one
panel; with one, each query gets a panel of its top values, all on the same scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from search.coverage_models import Coverage, CoverageSeries
from search.interface.coverage import point_url, series_label
from search.models import Bucket
from web.templating import bucket_label, plural

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 12, 44
"""Margins around the plot: the value axis on the left, the time axis below."""
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
X_LABELS = 7
"""At most this many dates along the time axis."""
Y_TICKS = 4


@dataclass(frozen=True, slots=True)
class Mark:
    """One bar or point: where it is, what it says, where it leads (None: nothing there)."""

    x: float
    y: float
    width: float
    height: float
    tip: str
    href: str | None


@dataclass(frozen=True, slots=True)
class Line:
    """One series of a panel: its class (colour), name, total, and marks or path."""

    css: str
    label: str
    total: str
    path: str
    """SVG path data of the line (empty when drawn as bars); it breaks where a share has
    no stories to be a share of."""
    marks: list[Mark]


@dataclass(frozen=True, slots=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True, slots=True)
class Panel:
    title: str
    bars: bool
    """One series: bars; more: lines with a point per bucket."""
    lines: list[Line]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    y_title: str
    x_title: str
    label: str
    """What the chart shows, for screen readers."""


def panels(coverage: Coverage, search_path: str) -> list[Panel]:
    """The panels of the chart (none when no match has a date)."""
    if not coverage.buckets:
        return []
    share = coverage.request.measure == "share"
    values = [_values(s, share) for s in coverage.series]
    top = max((v for vs in values for v in vs if v is not None), default=0)
    peak, step = _scale(top, share)
    groups: dict[int, list[int]] = {}
    for i, s in enumerate(coverage.series):
        groups.setdefault(s.query if coverage.request.by else 0, []).append(i)
    out = []
    for group, members in groups.items():
        title = query_title(coverage, group) if coverage.request.by else ""
        bars = len(members) == 1
        lines = [
            _line(coverage, coverage.series[i], values[i], (peak, share, bars), n, search_path)
            for n, i in enumerate(members)
        ]
        out.append(_panel(coverage, title, lines, (peak, step), share))
    return out


def query_title(coverage: Coverage, n: int) -> str:
    """A query as the legend names it: its text, or "all stories"."""
    return coverage.queries[n].q or "all stories"


def _panel(
    coverage: Coverage, title: str, lines: list[Line], scale: tuple[float, float], share: bool
) -> Panel:
    interval = coverage.interval
    peak, tick = scale
    step = PLOT_W / len(coverage.buckets)
    every = max(1, math.ceil(len(coverage.buckets) / X_LABELS))
    x_ticks = [
        Tick(round(LEFT + (i + 0.5) * step, 2), _short(b, interval))
        for i, b in enumerate(coverage.buckets)
        if i % every == 0
    ]
    y_ticks = [
        Tick(round(_y(k * tick, peak), 2), _amount(k * tick, share))
        for k in range(round(peak / tick) + 1)
    ]
    y_title = f"share of stories per {interval}" if share else f"stories per {interval}"
    what = "; ".join(f"{line.label}: {line.total}" for line in lines)
    return Panel(
        title=title,
        bars=len(lines) == 1,
        lines=lines,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        y_title=y_title,
        x_title=f"{interval} (from {bucket_label(coverage.buckets[0], interval)} "
        f"to {bucket_label(coverage.buckets[-1], interval)})",
        label=f"{y_title.capitalize()}{' for ' + title if title else ''}: {what}. "
        "Choose a bar or point to search its stories.",
    )


def _line(
    coverage: Coverage,
    series: CoverageSeries,
    values: list[float | None],
    how: tuple[float, bool, bool],
    n: int,
    search_path: str,
) -> Line:
    """One series: ``how`` is the top of the value axis, whether the values are shares, and
    whether the series is drawn as bars (the only one in its panel) or as a line."""
    peak, share, bars = how
    step = PLOT_W / len(coverage.buckets)
    name = _series_name(coverage, series)
    marks = []
    path: list[str] = []
    for i, (bucket, value) in enumerate(zip(coverage.buckets, values, strict=True)):
        x = LEFT + i * step
        count = series.counts[i]
        tip = f"{name} · {bucket_label(bucket, coverage.interval)}: " + _tip(series, i, share)
        href = point_url(search_path, coverage, series, bucket) if count else None
        if value is None:
            path.append("")
            marks.append(Mark(round(x + step / 2, 2), _y(0, peak), 0, 0, tip, None))
            continue
        y = _y(value, peak)
        if bars:
            gap = step * 0.15 if step > 4 else 0
            height = max(TOP + PLOT_H - y, 1.5) if count else 0
            marks.append(
                Mark(round(x + gap / 2, 2), round(TOP + PLOT_H - height, 2),
                     round(step - gap, 2), round(height, 2), tip, href)
            )  # fmt: skip
        else:
            cx = round(x + step / 2, 2)
            path.append(f"{cx},{round(y, 2)}")
            marks.append(Mark(cx, round(y, 2), 0, 0, tip, href))
    total = plural(series.total, "story", "stories")
    return Line(f"cov-s{n % 6}", name, total, "" if bars else _path(path), marks)


def _series_name(coverage: Coverage, series: CoverageSeries) -> str:
    value = series_label(series)
    if coverage.request.by is None:
        return query_title(coverage, series.query)
    return value or "(no source)"


def _tip(series: CoverageSeries, i: int, share: bool) -> str:
    count = plural(series.counts[i], "story", "stories")
    if not share or series.of is None:
        return count
    of = series.of[i]
    return f"{count} of {of:,} ({series.counts[i] / of:.1%})" if of else f"{count} (none to share)"


def _values(series: CoverageSeries, share: bool) -> list[float | None]:
    if share:
        return list(series.shares)
    return [float(c) for c in series.counts]


def _path(points: list[str]) -> str:
    """``M x,y L x,y ...``, starting afresh after each gap (an empty point)."""
    out, pen_down = [], False
    for point in points:
        if not point:
            pen_down = False
            continue
        out.append(("L" if pen_down else "M") + point)
        pen_down = True
    return " ".join(out)


def _y(value: float, peak: float) -> float:
    return TOP + PLOT_H - (PLOT_H * value / peak if peak else 0)


def _scale(peak: float, share: bool) -> tuple[float, float]:
    """The top of the value axis and the step between its ticks: a step of 1, 2 or 5 times
    a power of ten (whole stories for counts), about ``Y_TICKS`` of them up to ``peak``."""
    if peak <= 0:
        return (1.0, 0.25) if share else (1.0, 1.0)
    raw = peak / Y_TICKS
    power = 10 ** math.floor(math.log10(raw))
    step = next(f * power for f in (1, 2, 5, 10) if f * power >= raw)
    if not share:
        step = max(step, 1.0)
    return math.ceil(peak / step - 1e-9) * step, step


def _amount(value: float, share: bool) -> str:
    if share:
        return f"{value:.0%}" if value * 100 == round(value * 100) else f"{value:.1%}"
    return f"{value:,.0f}" if value == round(value) else f"{value:,.1f}"


def _short(bucket: Bucket, interval: str) -> str:
    start: date = bucket.start
    if interval == "year":
        return f"{start:%Y}"
    if interval == "month":
        return f"{start:%b %Y}"
    return f"{start.day} {start:%b %Y}"
