"""Jinja filters for the HTML pages: dates with their precision, counts, and highlights.

``highlighted`` is the one place where text becomes ``Markup``: it renders the engine's
``Marked`` text (``marked_title``, ``snippets``, ``marked_body``, ``marked_captions``) with
``search.interface.marks.to_html``, which escapes every piece itself. Story text is never
marked safe.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask
from markupsafe import Markup

from search.ingest.urls import is_web_url
from search.interface.marks import to_html
from search.models import Bucket, Marked


def pubdate(published: datetime | None, precision: str | None = None) -> str:
    """``23 May 2025``; ``≈ 23 May 2025`` when resolved from a relative age; a time when known."""
    if published is None:
        return "undated"
    day = human_day(published)
    if precision == "approximate":
        return f"≈ {day}"
    if precision == "time":
        return f"{day}, {published:%H:%M} UTC"
    return day


def human_day(value: date) -> str:
    """The one way a day is written for people: ``2 Mar 1987`` (ISO is for the API)."""
    return f"{value.day} {value:%b %Y}"


def query_day(value: datetime, side: str) -> str:
    """A date box's value for a span the query text set: its first day, or for ``to`` the
    last day before its (exclusive) end."""
    if side == "to":
        value -= timedelta(microseconds=1)
    return value.date().isoformat()


def date_title(published: datetime | None, precision: str | None = None) -> str:
    """A tooltip saying how much of a date is known."""
    if published is None:
        return "no date known"
    if precision == "approximate":
        return "approximate: worked out from a relative age such as “2 hours ago”"
    return ""


def iso(value: date | datetime | None) -> str:
    """For ``<time datetime=…>``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%MZ")
    return value.isoformat()


def count(n: int) -> str:
    """``12,345``."""
    return f"{n:,}"


def plural(n: int, one: str, many: str) -> str:
    """``1 story``, ``2 stories``."""
    return f"{n:,} {one if n == 1 else many}"


def took(ms: float) -> str:
    """Search time for people: ``4 ms``, ``0.6 ms``."""
    return f"{ms:.1f} ms" if ms < 10 else f"{ms:,.0f} ms"


def bucket_label(bucket: Bucket, interval: str) -> str:
    """A timeline bar's period: ``2025``, ``May 2025``, ``week of 5 May 2025``, ``5 May 2025``."""
    start = bucket.start
    if interval == "year":
        return f"{start:%Y}"
    if interval == "month":
        return f"{start:%B %Y}"
    day = human_day(start)
    return f"week of {day}" if interval == "week" else day


def dom_id(*parts: str) -> str:
    """A stable element id for a facet value, the same in every response (htmx puts the
    keyboard focus back on the element with the focused element's id after a swap)."""
    text = "\x1f".join(parts)
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]
    return f"f-{slug}-{hashlib.blake2s(text.encode(), digest_size=3).hexdigest()}"


def location_name(location: str) -> str:
    """Where a story was seen, short: the file name and any ``:line`` or ``#id``."""
    return location.replace("\\", "/").rsplit("/", 1)[-1]


def web_link(url: str | None) -> str:
    """What a link to ``url`` says, ``host/path``; empty for anything but an http(s) URL, so
    a ``javascript:`` or ``data:`` URL from the input never becomes a link."""
    if not is_web_url(url):
        return ""
    parts = urlsplit(url.strip())
    return f"{parts.hostname}{parts.path}".rstrip("/") or url


def highlighted(marked: Marked) -> Markup:
    """Marked text as markup: escaped, the matched words in ``<mark>``."""
    return Markup(to_html(marked))


FILTERS = {
    "pubdate": pubdate,
    "date_title": date_title,
    "iso": iso,
    "human_day": human_day,
    "query_day": query_day,
    "count": count,
    "plural": plural,
    "took": took,
    "bucket_label": bucket_label,
    "location_name": location_name,
    "highlighted": highlighted,
    "web_link": web_link,
}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
