"""What a web page says about itself: JSON-LD, ``<meta>`` tags, dates, URLs and publisher names.

Shared by the HTML reader (``html.py``, also used for each page of a WARC), the related-story
rails (``related.py``) and the feed reader (``feed.py``). Nothing here reads files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from courlan import extract_domain

from search.models import Precision

ARTICLE_TYPES = frozenset(
    "Article NewsArticle ReportageNewsArticle AnalysisNewsArticle OpinionNewsArticle "
    "BackgroundNewsArticle ReviewNewsArticle AskPublicQuestionArticle SatiricalArticle "
    "BlogPosting LiveBlogPosting Report".split()
)
"""schema.org types of a page that is one story."""

LISTING_TYPES = frozenset("CollectionPage SearchResultsPage ProfilePage".split())
"""schema.org types of a page that lists stories: a section front, a tag page, search results."""

_DAY_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_PREFIX = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d{2})[/-]?(?P<m>0[1-9]|1[0-2])[/-]?(?P<d>0[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
)
_MAX_FUTURE = timedelta(days=2)
_EARLIEST = datetime(1990, 1, 1)


# --- JSON-LD --------------------------------------------------------------------------------


def json_ld(texts: list[str]) -> list[dict[str, Any]]:
    """Every object in the page's ``application/ld+json`` blocks, ``@graph``s flattened.

    A block that is not JSON is left out: pages often carry a broken one beside good ones.
    """
    objects: list[dict[str, Any]] = []
    for text in texts:
        text = text.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
        if not text:
            continue
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            continue
        objects.extend(_flatten(value))
    return objects


def _flatten(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        if "@graph" in value:
            yield from _flatten(value["@graph"], depth + 1)


def types_of(obj: dict[str, Any]) -> set[str]:
    """The object's ``@type`` names, without a ``schema:`` or URL prefix."""
    value = obj.get("@type")
    names = value if isinstance(value, list) else [value]
    return {n.rsplit("/", 1)[-1].removeprefix("schema:") for n in names if isinstance(n, str)}


def text_of(value: Any) -> str:
    """A JSON-LD value as text: a string, the ``name`` of an object, the first of a list."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    return " ".join(value.split()) if isinstance(value, str) else ""


# --- dates ----------------------------------------------------------------------------------


def parse_date(value: str, crawled_at: datetime) -> tuple[datetime, Precision] | None:
    """A date as pages and feeds write it, as naive UTC with its precision; ``None`` if unusable.

    ISO 8601 (``2025-10-14``, ``2025-10-14T08:45:00+02:00``, ``...Z``) and RFC 2822
    (``Tue, 14 Oct 2025 08:45:00 GMT``). A date alone, or a time of exactly midnight (how
    many systems write "no time"), is ``day``, that date; anything else is ``time``, converted
    to UTC (a time without a zone is taken as UTC). Dates before 1990 or more than two days
    after the crawl are refused.
    """
    value = " ".join(value.split())
    if not value:
        return None
    moment: datetime | None = None
    precision: Precision = "time"
    if _DAY_ONLY.fullmatch(value):
        precision = "day"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            match = _ISO_PREFIX.match(value)
            if match is None:
                return None
            try:
                moment = datetime(*map(int, match.groups()))
            except ValueError:
                return None
            precision = "day"
    if precision == "time" and moment.time() == datetime.min.time():
        # Midnight to the second is how systems that know only the day write it.
        moment, precision = moment.replace(tzinfo=None), "day"
    elif moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    if not _EARLIEST <= moment <= crawled_at + _MAX_FUTURE:
        return None
    return moment, precision


def date_from_url(url: str | None) -> datetime | None:
    """The day a URL's path spells (``/2025/10/14/``, ``/2025-10-14/``, ``/20251014/``)."""
    if not url:
        return None
    match = _URL_DATE.search(urlsplit(url).path)
    if match is None:
        return None
    try:
        return datetime(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


# --- URLs and sources -----------------------------------------------------------------------


def absolute(href: str | None, base: str | None) -> str | None:
    """``href`` as an absolute http(s) URL, resolved against ``base``; ``None`` if it cannot be."""
    if not href:
        return None
    href = href.strip()
    if href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        url = urljoin(base, href) if base else href
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return parts._replace(fragment="").geturl()


def site_domain(url: str | None) -> str:
    """The registered domain of a URL (``www.``, ``amp.``, ``m.`` and the rest dropped)."""
    if not url:
        return ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    if not host:
        return ""
    return extract_domain(url, fast=True) or host.removeprefix("www.")
