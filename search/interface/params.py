"""Query string <-> ``SearchRequest``: validate what a browser or a script sent, and build the
URLs back (pager links, facet toggles) so every state lives in the URL.

The HTML pages, the JSON API and ``newsdex search`` take the same parameters::

    q, source (repeatable), topic (repeatable), kind (repeatable), from, to, sort, match,
    group, page, per_page
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol
from urllib.parse import urlencode

from search.errors import BadParameter
from search.models import GROUPS, KINDS, MATCHES, MAX_PER_PAGE, SORTS, SearchRequest

DEFAULT = SearchRequest()
MAX_PAGE = 10_000
MAX_VALUES = 50
"""At most this many ticked values per facet."""
MIN_DATE = date(1000, 1, 1)
MAX_DATE = date(9999, 12, 31)
"""The four-digit years: what a date box can hold and the API document can state."""


class Args(Protocol):
    """Query-string arguments, a name given any number of times: what werkzeug's
    ``MultiDict`` (``request.args``) offers, and ``ArgList`` for the CLI."""

    def get(self, key: str, default: str = "") -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...


class ArgList(dict[str, list[str]]):
    """``Args`` from ``(name, value)`` pairs, for callers without a web request (the CLI)."""

    def add(self, key: str, value: str) -> None:
        self.setdefault(key, []).append(value)

    def get(self, key: str, default: str = "") -> str:  # type: ignore[override]
        values = super().get(key)
        return values[0] if values else default

    def getlist(self, key: str) -> list[str]:
        return list(super().get(key) or ())


def parse_search_args(args: Args) -> SearchRequest:
    """A ``SearchRequest`` from query-string arguments; ``BadParameter`` names what is wrong."""
    q = args.get("q", "")
    kinds = _values(args, "kind")
    for kind in kinds:
        if kind not in KINDS:
            raise BadParameter("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    date_from = _date(args, "from")
    date_to = _date(args, "to")
    if date_from and date_to and date_from > date_to:
        raise BadParameter("to", f"{date_to} is before from={date_from}")
    return SearchRequest(
        q=q.strip(),
        sources=_values(args, "source"),
        topics=_values(args, "topic"),
        kinds=kinds,
        date_from=date_from,
        date_to=date_to,
        sort=_choice(args, "sort", SORTS, DEFAULT.sort),
        match=_choice(args, "match", MATCHES, DEFAULT.match),
        group=_choice(args, "group", GROUPS, DEFAULT.group),
        page=_int(args, "page", DEFAULT.page, 1, MAX_PAGE),
        per_page=_int(args, "per_page", DEFAULT.per_page, 1, MAX_PER_PAGE),
    )


def query_pairs(request: SearchRequest) -> list[tuple[str, str]]:
    """The request as query-string pairs, defaults left out, in a stable order."""
    pairs: list[tuple[str, str]] = []
    if request.q:
        pairs.append(("q", request.q))
    pairs += [("source", v) for v in request.sources]
    pairs += [("topic", v) for v in request.topics]
    pairs += [("kind", v) for v in request.kinds]
    if request.date_from:
        pairs.append(("from", request.date_from.isoformat()))
    if request.date_to:
        pairs.append(("to", request.date_to.isoformat()))
    for name in ("sort", "match", "group", "page", "per_page"):
        value = getattr(request, name)
        if value != getattr(DEFAULT, name):
            pairs.append((name, str(value)))
    return pairs


def url_for_request(path: str, request: SearchRequest, **changes: Any) -> str:
    """``path`` with the request's state as its query string, after ``changes``.

    Any change but ``page`` itself sends the reader back to page 1.
    """
    if changes and "page" not in changes:
        changes["page"] = 1
    changed = dataclasses.replace(request, **changes)
    query = urlencode(query_pairs(changed))
    return f"{path}?{query}" if query else path


def toggle_url(path: str, request: SearchRequest, facet: str, value: str) -> str:
    """The URL that ticks ``value`` of ``facet`` (``source``/``topic``/``kind``), or unticks it."""
    field = {"source": "sources", "topic": "topics", "kind": "kinds"}[facet]
    current: tuple[str, ...] = getattr(request, field)
    toggled = tuple(v for v in current if v != value) if value in current else (*current, value)
    return url_for_request(path, request, **{field: toggled})


def _values(args: Args, name: str) -> tuple[str, ...]:
    values = [v.strip() for v in args.getlist(name) if v.strip()]
    if len(values) > MAX_VALUES:
        raise BadParameter(name, f"more than {MAX_VALUES} values")
    return tuple(dict.fromkeys(values))


def _date(args: Mapping[str, str], name: str) -> date | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(name, f"{raw!r} is not a date (use YYYY-MM-DD)") from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise BadParameter(name, f"{value} is outside {MIN_DATE}..{MAX_DATE}")
    return value


def _choice(args: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> Any:
    raw = args.get(name, "").strip() or default
    if raw not in allowed:
        raise BadParameter(name, f"{raw!r} is not one of {', '.join(allowed)}")
    return raw


def _int(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, f"{raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise BadParameter(name, f"{value} is outside {low}..{high}")
    return value
