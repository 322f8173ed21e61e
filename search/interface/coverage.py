"""Coverage charts at the edge: query string <-> ``CoverageRequest``, the URL each point of
the chart leads to, and the chart's data as JSON (``/api/coverage``) and CSV.

Parameters: those of a search (``params``; the filters apply to every query), plus::

    q2, q3       more queries, each a series of its own beside ``q``
    interval     auto (default), day, week, month, year
    by           none (default), source, topic: the top values and the rest
    measure      count (default), or share: of all stories under the same filters (of the
                 same source or topic with ``by``) in the interval
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from search.coverage_models import (
    BREAKDOWNS,
    INTERVALS,
    MEASURES,
    Coverage,
    CoverageRequest,
    CoverageSeries,
)
from search.errors import BadParameter
from search.interface.params import (
    MAX_VALUES,
    Args,
    parse_search_args,
    query_pairs,
    url_for_request,
)
from search.models import Bucket

EXTRA_QUERIES = ("q2", "q3")
OTHER_LABEL = "(other)"
"""What the series of the values outside the top ones is called in CSV and on the page."""
CSV_COLUMNS = ("query", "q", "by", "value", "start", "end", "count", "of", "share")


def parse_coverage_args(args: Args) -> CoverageRequest:
    """A ``CoverageRequest`` from query-string arguments; ``BadParameter`` names what is wrong."""
    search = parse_search_args(args)
    more = tuple(q for name in EXTRA_QUERIES if (q := (args.get(name, "") or "").strip()))
    interval = _choice(args, "interval", ("auto", *INTERVALS), "auto")
    by = _choice(args, "by", ("none", *BREAKDOWNS), "none")
    return CoverageRequest(
        search=search,
        queries=(search.q, *more),
        interval=None if interval == "auto" else interval,
        by=None if by == "none" else by,
        measure=_choice(args, "measure", MEASURES, "count"),
    )


def coverage_pairs(request: CoverageRequest, **changes: Any) -> list[tuple[str, str]]:
    """The request as query-string pairs, defaults left out; ``changes`` replace fields of
    the request (``interval``, ``by``, ``measure``)."""
    request = replace(request, **changes)
    pairs = [(k, v) for k, v in query_pairs(request.search) if k not in ("page", "per_page")]
    pairs += [(name, q) for name, q in zip(EXTRA_QUERIES, request.queries[1:], strict=False)]
    if request.interval:
        pairs.append(("interval", request.interval))
    if request.by:
        pairs.append(("by", request.by))
    if request.measure != "count":
        pairs.append(("measure", request.measure))
    return pairs


def coverage_url(path: str, request: CoverageRequest, **changes: Any) -> str:
    query = urlencode(coverage_pairs(request, **changes))
    return f"{path}?{query}" if query else path


def point_url(path: str, coverage: Coverage, series: CoverageSeries, bucket: Bucket) -> str:
    """The search (at ``path``) narrowed to one point of the chart: the series' query, the
    bucket's days (inside any dates already chosen) and the series' source or topic. The
    other sources are ticked all together (when there are at most ``MAX_VALUES``); the other
    topics cannot be ticked, so their points narrow to the query and the days only."""
    req = replace(coverage.request.search, q=coverage.queries[series.query].q)
    first = max(bucket.start, req.date_from) if req.date_from else bucket.start
    last = bucket.end - timedelta(days=1)
    last = min(last, req.date_to) if req.date_to else last
    changes: dict[str, Any] = {"date_from": first, "date_to": last}
    by, value = coverage.request.by, series.value
    if by == "source" and value is not None:
        changes["sources"] = (value,)
    elif by == "source" and series.others and len(series.others) <= MAX_VALUES:
        changes["sources"] = series.others
    elif by == "topic" and value is not None:
        if req.topics:
            # Ticked beside the others it would be either-or, as would a plain topic: in the
            # query (docs/searching.md); "+" makes it required on top of them.
            changes["q"] = f'({req.q}) +topic:"{value}"' if req.q else f'+topic:"{value}"'
        else:
            changes["topics"] = (value,)
    return url_for_request(path, req, **changes)


def series_label(series: CoverageSeries) -> str:
    """The breakdown value a series stands for ("" without a breakdown)."""
    if series.other:
        return OTHER_LABEL
    return series.value or ""


def coverage_json(coverage: Coverage, search_path: str, csv_path: str) -> dict[str, Any]:
    """The chart's data: the axis, each query with its total, and each series with its
    counts (and shares), and per point the URL of the search narrowed to it."""
    req = coverage.request
    return {
        "interval": coverage.interval,
        "by": req.by,
        "measure": req.measure,
        "buckets": [
            {"start": b.start.isoformat(), "end": b.end.isoformat(), "stories": b.count}
            for b in coverage.buckets
        ],
        "queries": [
            {
                "q": q.q,
                "total": q.total,
                "undated": q.undated,
                "url": url_for_request(search_path, replace(req.search, q=q.q, page=1)),
            }
            for q in coverage.queries
        ],
        "series": [
            {
                "query": s.query,
                "value": s.value,
                "other": s.other,
                "others": list(s.others) if s.others is not None else None,
                "total": s.total,
                "counts": list(s.counts),
                "of": list(s.of) if s.of is not None else None,
                "shares": list(s.shares) if s.of is not None else None,
                "urls": [point_url(search_path, coverage, s, b) for b in coverage.buckets],
            }
            for s in coverage.series
        ],
        "notices": list(coverage.notices),
        "csv_url": coverage_url(csv_path, req),
        "generation": coverage.generation,
    }


def csv_lines(coverage: Coverage) -> Iterator[str]:
    """The chart's data as CSV: a header, then one line per series and bucket."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for s in coverage.series:
        shares = s.shares
        for i, bucket in enumerate(coverage.buckets):
            of = s.of[i] if s.of is not None else ""
            share = "" if shares[i] is None else f"{shares[i]:.6f}"
            writer.writerow(
                (
                    s.query + 1,
                    coverage.queries[s.query].q,
                    coverage.request.by or "",
                    series_label(s),
                    bucket.start.isoformat(),
                    (bucket.end - timedelta(days=1)).isoformat(),
                    s.counts[i],
                    of,
                    share,
                )
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _choice(args: Args, name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = (args.get(name, "") or "").strip() or default
    if raw not in allowed:
        raise BadParameter(name, f"{raw!r} is not one of {', '.join(allowed)}")
    return raw
