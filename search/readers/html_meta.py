"""What an HTML page says about itself: its kind, canonical URL, publisher, headline and date.

``html.extract`` asks these of a page it has parsed once: from JSON-LD and ``<meta>`` values
first (``Meta``), then from the markup (``<link rel=canonical>``, ``<h1>``, ``<time>``, an
element whose class says it holds a date, a "3 hours ago" resolved against the crawl), and the
URL itself last. The general parsing of dates, URLs and JSON-LD is ``webmeta``'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml.html import HtmlElement

from search.models import Precision
from search.readers.webmeta import (
    ARTICLE_TYPES,
    LISTING_TYPES,
    absolute,
    date_from_url,
    json_ld,
    parse_date,
    site_domain,
    text_of,
    types_of,
)

_TITLE_SUFFIX = re.compile(r"\s+[|\-–—·:]\s+[^|\-–—·:]{2,60}$")
_DATE_CLASS = re.compile(r"date|time|publish|posted|updated|dateline|meta", re.IGNORECASE)
_PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "article.published",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.created",
    "date",
)


@dataclass(slots=True)
class Meta:
    """The page's ``<meta>`` values (first of each name, names lower-cased) and JSON-LD."""

    tags: dict[str, str]
    ld: list[dict[str, Any]]
    article: dict[str, Any] | None
    """The JSON-LD object describing the page's story, if there is one."""

    @classmethod
    def of(cls, tree: HtmlElement) -> Meta:
        tags: dict[str, str] = {}
        for element in tree.iter("meta"):
            name = element.get("property") or element.get("name") or element.get("itemprop")
            content = element.get("content")
            if name and content and content.strip():
                tags.setdefault(name.strip().lower(), " ".join(content.split()))
        ld = json_ld(tree.xpath("//script[@type='application/ld+json']/text()"))
        article = next((o for o in ld if types_of(o) & ARTICLE_TYPES), None)
        return cls(tags, ld, article)

    def get(self, *names: str) -> str:
        return next((self.tags[n] for n in names if self.tags.get(n)), "")


def page_kind(meta: Meta) -> str | None:
    """``article``, ``listing`` or ``None`` (the page does not say): JSON-LD and ``og:type``."""
    if meta.article is not None:
        return "article"
    og = meta.get("og:type").lower()
    if og == "article" or og.startswith("article"):
        return "article"
    types = set().union(*(types_of(o) for o in meta.ld)) if meta.ld else set()
    # og:type "website" is no sign: many sites put it on every page, articles included.
    if types & LISTING_TYPES or og == "profile":
        return "listing"
    return None


def canonical_url(tree: HtmlElement, meta: Meta, url: str | None) -> str | None:
    """``<link rel=canonical>``, else ``og:url``, else the address the page was fetched from."""
    for href in (
        first_value(tree, "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]"
                     "/@href"),
        meta.get("og:url"),
    ):  # fmt: skip
        found = absolute(href, url)
        if found:
            return found
    return absolute(url, None)


def publisher(meta: Meta, url: str | None) -> str:
    """``og:site_name``, the JSON-LD publisher, ``application-name``, else the site's domain."""
    named = meta.get("og:site_name")
    if not named and meta.article is not None:
        named = text_of(meta.article.get("publisher"))
    if not named:
        for obj in meta.ld:
            if types_of(obj) & {"NewsMediaOrganization", "Organization", "WebSite"}:
                named = text_of(obj.get("name"))
                if named:
                    break
    return named or meta.get("application-name") or site_domain(url)


def headline(tree: HtmlElement, meta: Meta) -> str:
    """The article's ``<h1>``, else the JSON-LD headline, ``og:title`` or ``<title>``."""
    for xpath in ("//article//h1", "//main//h1", "//h1"):
        for h1 in tree.xpath(xpath):
            text = " ".join(h1.text_content().split())
            if 3 <= len(text) <= 400:
                return text
    if meta.article is not None:
        text = text_of(meta.article.get("headline"))
        if text:
            return text
    text = meta.get("og:title", "twitter:title")
    if text:
        return text
    title = first_value(tree, "//title/text()")
    return _TITLE_SUFFIX.sub("", title) if title else ""


def published_date(
    tree: HtmlElement, meta: Meta, url: str | None, crawled_at: datetime
) -> tuple[datetime | None, Precision | None]:
    """When the story was published, with its precision (see ``docs/formats.md``)."""
    for value in _date_candidates(tree, meta):
        found = parse_date(str(value), crawled_at) if value else None
        if found is not None:
            return found
    day = date_from_url(url)
    if day is not None:
        return day, "day"
    return relative_date(tree, crawled_at)


def _date_candidates(tree: HtmlElement, meta: Meta) -> Iterator[str]:
    """Published dates the page states, best first; the markup is searched only when the
    metadata has none."""
    if meta.article is not None:
        yield from (text_of(meta.article.get(k)) for k in ("datePublished", "dateCreated"))
    yield meta.get(*_PUBLISHED_META)
    yield from tree.xpath(
        "//*[@itemprop='datePublished']/@datetime | //*[@itemprop='datePublished']/@content"
        " | //time[@pubdate]/@datetime | //article//time/@datetime | //time/@datetime"
    )


def relative_date(
    tree: HtmlElement, crawled_at: datetime
) -> tuple[datetime | None, Precision | None]:
    """A "3 hours ago" in a ``<time>`` or a date-like element, resolved against the crawl."""
    from search.readers.aggregator import parse_age

    for element in tree.iter("time", "span", "div", "p"):
        if element.tag != "time" and not _DATE_CLASS.search(element.get("class", "")):
            continue
        text = " ".join(element.text_content().split())
        if len(text) > 60:
            continue
        for part in _age_phrases(text):
            age = parse_age(part)
            if age is not None:
                return crawled_at - age, "approximate"
    return None, None


_AGE_PHRASE = re.compile(
    r"(?:\d+|an?|one|a few)\s+\w+?s?\s+ago|just now|yesterday|moments ago", re.IGNORECASE
)


def _age_phrases(text: str) -> list[str]:
    return _AGE_PHRASE.findall(text)


def first_value(tree: HtmlElement, xpath: str) -> str:
    """The first node ``xpath`` finds, as text with its white space made single spaces."""
    found = tree.xpath(xpath)
    return " ".join(str(found[0]).split()) if found else ""
