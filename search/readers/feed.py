"""Feed reader: an RSS (0.9x, 1.0, 2.0) or Atom feed into one ``Page`` of teasers, by feedparser.

Place in the pipeline: ``search.readers.read_file`` hands the bytes of a file whose root element
is ``<rss>``, ``<feed>`` or ``<rdf:RDF>`` here (feedparser finds the encoding itself). Each item
becomes a ``RawStory(kind="teaser")``: a feed item is what an aggregator shows of a story, not
the story. The page has no article; its location is the feed file.

A feed that is not well-formed XML is read by feedparser's lenient parser: the items it finds
are kept and the fault is reported as a problem; with no items at all the file is skipped as
``not well-formed feed``.
"""

from __future__ import annotations

import calendar
import html
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax import SAXException

import feedparser

from search.errors import SkippedFile
from search.models import Page, Precision, RawStory
from search.readers import ReadResult
from search.readers.webmeta import absolute, parse_date, site_domain

EXTENSIONS = frozenset({".rss", ".atom", ".rdf"})
NOT_WELL_FORMED = "not well-formed feed"
NO_ITEMS = "no items"

_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*"
    rb"<(?:rss\b|feed\b|rdf:RDF\b)",
    re.IGNORECASE | re.DOTALL,
)
_BLOCK_END = re.compile(r"<\s*(?:br|/p|/div|/li|/h\d|/blockquote)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def sniff(path: Path, head: bytes) -> bool:
    """True when the root element is ``<rss>``, ``<feed>`` or ``<rdf:RDF>``, or the name says
    RSS or Atom and the file starts with markup."""
    if _ROOT.match(head):
        return True
    return path.suffix.lower() in EXTENSIONS and head.lstrip().startswith(b"<")


def read(path: Path, data: bytes, crawled_at: datetime) -> ReadResult:
    """The feed's items as the teasers of one page; raises ``SkippedFile`` when it has none."""
    spath = str(path)
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    problems = []
    fault = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if fault is not None:
        reason = _fault(fault)
        if not parsed.entries:
            raise SkippedFile(spath, NOT_WELL_FORMED if _is_xml_fault(fault) else NO_ITEMS, reason)
        problems.append(f"{spath}: {reason}; {len(parsed.entries)} items read leniently")
    feed_title = clean(parsed.feed.get("title", ""))
    feed_link = parsed.feed.get("link") or None
    teasers = []
    for number, entry in enumerate(parsed.entries, start=1):
        teaser = teaser_from(entry, feed_title, feed_link, crawled_at)
        if teaser is None:
            problems.append(f"{spath}: item {number}: no title and no summary")
        else:
            teasers.append(teaser)
    if not teasers:
        raise SkippedFile(spath, NO_ITEMS, "; ".join(problems))
    page = Page(
        path=spath, location=spath, crawled_at=crawled_at, article=None, teasers=tuple(teasers)
    )
    return ReadResult(pages=[page], problems=problems)


def teaser_from(
    entry: Any, feed_title: str, feed_link: str | None, crawled_at: datetime
) -> RawStory | None:
    """One item: title, summary without markup, link, date, and the source that named it."""
    title = clean(entry.get("title", ""))
    summary = clean(entry.get("summary", ""))
    if not title and not summary:
        return None
    url = absolute(entry.get("link"), feed_link)
    published, precision = item_date(entry, crawled_at)
    source = clean(entry.get("source", {}).get("title", "")) or feed_title or site_domain(url)
    return RawStory(
        kind="teaser",
        title=title,
        source=source,
        published=published,
        precision=precision,
        body=summary,
        url=url,
    )


def item_date(entry: Any, crawled_at: datetime) -> tuple[datetime | None, Precision | None]:
    """``pubDate``/``published`` (else ``updated``, ``dc:date``) with its precision."""
    for key in ("published", "updated", "created"):
        found = parse_date(entry.get(key, ""), crawled_at)
        if found is not None:
            return found
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            # A date form feedparser knows and we do not: it hands it back in UTC.
            moment = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            return moment.replace(tzinfo=None), "time"
    return None, None


def clean(text: str) -> str:
    """Feed text without its markup: paragraphs kept apart, entities resolved, spaces single."""
    text = _TAG.sub(" ", _BLOCK_END.sub("\n", text))
    lines = (" ".join(html.unescape(line).split()) for line in text.split("\n"))
    return "\n\n".join(line for line in lines if line)


def _is_xml_fault(fault: Exception) -> bool:
    return isinstance(fault, SAXException)


def _fault(fault: Exception) -> str:
    if isinstance(fault, SAXException) and hasattr(fault, "getLineNumber"):
        return (
            f"not well-formed XML at line {fault.getLineNumber()}, "
            f"column {fault.getColumnNumber()}: {fault.getMessage()}"
        )
    return f"{type(fault).__name__}: {fault}"
