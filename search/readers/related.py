"""Related-story teasers on a web page: its "related", "more on this", "most read" rails and its
JSON-LD ``ItemList``s, each entry becoming a ``RawStory(kind="teaser")`` with an absolute URL.

Place in the pipeline: ``html.py`` calls ``find_rails`` on the parsed page, takes the teasers
out of each rail with ``rail_teasers`` and then removes the rails from the tree, so that no rail
text reaches the article body. No off-the-shelf extractor does this part.

A rail is an element whose class, id, ``aria-label`` or own heading says what it is (see
``RAIL_WORDS`` and ``RAIL_HEADINGS``) and that holds at least one entry: a link whose text reads
as a headline (three words or more). An element that holds the article's own text is never a
rail, however it is named (``<div class="article related-enabled">``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from lxml.html import HtmlElement

from search.models import Precision, RawStory
from search.readers.webmeta import (
    absolute,
    date_from_url,
    parse_date,
    site_domain,
    text_of,
    types_of,
)

RAIL_WORDS = re.compile(
    r"\b(?:related|more (?:on|from|in|about|stories|news|articles|headlines)|morestories"
    r"|most (?:read|popular|viewed|shared|watched|commented)|mostread|mostpopular|mostviewed"
    r"|popular (?:now|stories)|recommended|recommendations|recirc|read next|readnext|up next"
    r"|see also|also read|read also|also in|you may (?:also )?like|trending|top stories"
    r"|editors? picks)\b"
)
"""Searched in an element's class, id, ``aria-label`` and ``data-component``, split into words
(``mostRead``, ``most_read`` and ``most-read`` all read ``most read``)."""

RAIL_HEADINGS = re.compile(
    r"(?:related(?: stories| articles| content| coverage| news| links)?|more (?:on|about|from|in)"
    r"\b.{0,40}|more (?:stories|news|headlines)|most (?:read|popular|viewed|shared|watched)"
    r"(?: .{0,20})?|recommended(?: for you| reading)?|you (?:may|might) (?:also )?like"
    r"|read (?:next|more|also)|also (?:read|in .{0,30})|see also|top stories|trending(?: now)?"
    r"|popular(?: now)?|what to read next|editors?'? picks)"
)
"""A rail's own heading, matched against the whole heading text, lower case, ``:`` dropped."""

MIN_HEADLINE_WORDS = 3
MIN_HEADLINE_CHARS = 15
_LINK_FURNITURE = re.compile(
    r"(?:read|see|show|view|load) (?:more|all|full)\b.*|more\b.{0,20}|next|previous|comments?\b.*",
    re.IGNORECASE,
)
_SPLIT_WORDS = re.compile(r"(?<=[a-z])(?=[A-Z])|[\s_\-:]+")
_CONTAINERS = ("section", "aside", "div", "ul", "ol", "nav", "footer", "p")
_ITEMS = ("li", "article")
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_SOURCE_CLASS = re.compile(r"source|publisher|outlet|brand|provider", re.IGNORECASE)
_NOT_SUMMARY = re.compile(r"source|publisher|date|time|byline|author|meta", re.IGNORECASE)
_TITLE_CLASS = re.compile(r"title|heading|header|label", re.IGNORECASE)
_SKIP_CLASS = re.compile(r"(?:^|[\s_-])(?:ad|ads|advert|sponsored|promoted|outbrain|taboola)\b")
_MAIN_TEXT_CHARS = 600
"""Paragraph text (outside links) above which an element holds the article, not a rail."""


def words_of(value: str) -> str:
    """``"mostRead story_list"`` → ``"most read story list"``: a class as words to search."""
    return " ".join(_SPLIT_WORDS.split(value)).lower()


_HINT = re.compile(
    r"relat|more|most|popular|recommend|recirc|next|also|like|trend|top|pick|editor|newsletter"
    r"|subscri|sign|mc4wp|opt|cookie|consent|gdpr|shar|social|promo|cta|caption",
    re.IGNORECASE,
)
_SCANNED = ("section", "aside", "div", "ul", "ol", "nav", "footer", "p", "form")


def scan(root: HtmlElement) -> list[tuple[HtmlElement, str]]:
    """The elements whose class, id, ``aria-label`` or ``data-component`` holds a word that
    rails, boxes or captions are named with, each with those attributes as words, in one walk
    over the page: walking it once per kind cost a third of the extraction itself."""
    hinted = []
    for element in root.iter(*_SCANNED):
        get = element.get
        attrs = f"{get('class', '')} {get('id', '')} {get('aria-label', '')} "
        attrs += get("data-component", "")
        if len(attrs) > 3 and _HINT.search(attrs):
            hinted.append((element, words_of(attrs)))
    return hinted


def find_rails(root: HtmlElement, hinted: list[tuple[HtmlElement, str]]) -> list[HtmlElement]:
    """The page's rails in page order, none inside another and none holding the article."""
    found = [
        element
        for element, words in hinted
        if element.tag in _CONTAINERS and not _SKIP_CLASS.search(words) and RAIL_WORDS.search(words)
    ]
    for heading in root.iter(*_HEADINGS):
        parent = heading.getparent()
        if (
            parent is not None
            and parent.tag in _CONTAINERS
            and _own_heading(parent) is heading
            and RAIL_HEADINGS.fullmatch(_heading_text(heading))
        ):
            found.append(parent)
    article = _article_chain(root)
    return outermost([e for e in found if not any(e is a for a in article)])


def outermost(elements: list[HtmlElement]) -> list[HtmlElement]:
    """The elements not inside another of them, in page order (by source line)."""
    chosen = set(elements)
    kept = [e for e in chosen if not any(a in chosen for a in e.iterancestors())]
    return sorted(kept, key=lambda e: e.sourceline or 0)


def _article_chain(root: HtmlElement) -> list[HtmlElement]:
    """The block holding the most paragraph text, and every element around it: a rail is
    never one of these, however it is named (``<div class="post related-enabled">``)."""
    score: dict[HtmlElement, int] = {}
    for paragraph in root.iter("p"):
        parent = paragraph.getparent()
        if parent is not None:
            score[parent] = score.get(parent, 0) + len(paragraph.text_content())
    marked = root.xpath("(//*[@itemprop='articleBody'])[1]")
    main = marked[0] if marked else max(score, key=score.__getitem__, default=None)
    if main is None or (not marked and score[main] < _MAIN_TEXT_CHARS):
        return []
    return [main, *main.iterancestors()]


def _own_heading(element: HtmlElement) -> HtmlElement | None:
    """The element's heading: its first child with text, when that is a heading (``<h2>``, or
    a short element whose class says title or heading)."""
    for child in element.iterchildren():
        if not isinstance(child.tag, str) or not child.text_content().strip():
            continue
        if child.tag in _HEADINGS:
            return child
        if _TITLE_CLASS.search(child.get("class", "")) and len(child.text_content()) <= 60:
            return child
        return None
    return None


def _heading_text(heading: HtmlElement) -> str:
    return " ".join(heading.text_content().split()).lower().rstrip(":").strip()


def _in_link(element: HtmlElement) -> bool:
    return any(a.tag == "a" for a in element.iterancestors())


# --- entries of a rail ----------------------------------------------------------------------


def rail_teasers(
    rail: HtmlElement, base: str | None, site: str, source: str, crawled_at: datetime
) -> list[RawStory]:
    """One teaser per linked headline in ``rail``; a link seen twice (image and headline) once.

    ``site`` is the page's registered domain and ``source`` its publisher: a link to the same
    site is a story of that publisher; a link elsewhere takes the source the entry names, else
    the other site's domain.
    """
    teasers: dict[str, RawStory] = {}
    for link in rail.iter("a"):
        url = absolute(link.get("href"), base)
        if url is None and (not link.get("href") or base):
            continue
        title = _headline(link)
        if not _reads_as_headline(title):
            continue
        key = url or link.get("href", "")
        if key in teasers:
            continue
        item = _item_of(link, rail)
        published, precision = _entry_date(item, crawled_at)
        if published is None and (day := date_from_url(url)) is not None:
            published, precision = day, "day"
        teasers[key] = RawStory(
            kind="teaser",
            title=title,
            source=_entry_source(item, url, site, source),
            published=published,
            precision=precision,
            body=_summary(item, link, title),
            url=url,
        )
    return list(teasers.values())


def _headline(link: HtmlElement) -> str:
    for heading in link.iter(*_HEADINGS):
        return _text(heading)
    parent = link.getparent()
    if parent is not None and parent.tag in _HEADINGS:
        return _text(parent)
    return _text(link)


def _reads_as_headline(title: str) -> bool:
    return (
        len(title.split()) >= MIN_HEADLINE_WORDS
        and len(title) >= MIN_HEADLINE_CHARS
        and not _LINK_FURNITURE.fullmatch(title)
    )


def _item_of(link: HtmlElement, rail: HtmlElement) -> HtmlElement:
    """The entry a link belongs to: its closest ``li``/``article``, else its parent block."""
    for ancestor in link.iterancestors():
        if ancestor is rail:
            break
        if ancestor.tag in _ITEMS:
            return ancestor
    parent = link.getparent()
    while parent is not None and parent is not rail and parent.tag in _HEADINGS:
        parent = parent.getparent()
    return parent if parent is not None else link


def _summary(item: HtmlElement, link: HtmlElement, title: str) -> str:
    if item is link:
        return ""
    parts = []
    for paragraph in item.iter("p"):
        if paragraph is link or any(a is paragraph for a in link.iterancestors()):
            continue  # the line holding the link is the headline's, not a summary
        text = _text(paragraph)
        if text and text != title and not _NOT_SUMMARY.search(paragraph.get("class", "")):
            parts.append(text)
    return "\n\n".join(parts)


def _entry_date(
    item: HtmlElement, crawled_at: datetime
) -> tuple[datetime | None, Precision | None]:
    from search.readers.aggregator import parse_age  # here: avoids a cycle at import

    for time in item.iter("time"):
        found = parse_date(time.get("datetime", ""), crawled_at)
        if found is not None:
            return found
        age = parse_age(_text(time))
        if age is not None:
            return crawled_at - age, "approximate"
    return None, None


def _entry_source(item: HtmlElement, url: str | None, site: str, source: str) -> str:
    domain = site_domain(url)
    if not url or domain == site:
        return source
    for element in item.iter():
        if isinstance(element.tag, str) and _SOURCE_CLASS.search(element.get("class", "")):
            named = _text(element).lstrip("•·").strip()
            if named:
                return named
    return domain


def _text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


# --- JSON-LD ItemList -----------------------------------------------------------------------


def item_list_teasers(
    objects: list[dict[str, Any]],
    base: str | None,
    site: str,
    source: str,
    crawled_at: datetime,
) -> list[RawStory]:
    """A teaser for each ``ListItem`` of the page's ``ItemList``s that names a headline."""
    teasers = []
    for obj in objects:
        if "ItemList" not in types_of(obj):
            continue
        elements = obj.get("itemListElement")
        for entry in elements if isinstance(elements, list) else []:
            teaser = _list_item(entry, base, site, source, crawled_at)
            if teaser is not None:
                teasers.append(teaser)
    return teasers


def _list_item(
    entry: Any, base: str | None, site: str, source: str, crawled_at: datetime
) -> RawStory | None:
    if not isinstance(entry, dict):
        return None
    item = entry.get("item")
    story = item if isinstance(item, dict) else entry
    title = text_of(story.get("headline") or story.get("name") or entry.get("name"))
    link = story.get("url") or story.get("@id") or entry.get("url")
    if not isinstance(link, str) and isinstance(item, str):
        link = item
    url = absolute(link if isinstance(link, str) else None, base)
    if not title or url is None:
        return None
    dated = parse_date(text_of(story.get("datePublished")), crawled_at)
    publisher = text_of(story.get("publisher"))
    return RawStory(
        kind="teaser",
        title=title,
        source=publisher or (source if site_domain(url) == site else site_domain(url)),
        published=dated[0] if dated else None,
        precision=dated[1] if dated else None,
        body=text_of(story.get("description")),
        url=url,
    )


def merge_teasers(*groups: list[RawStory]) -> tuple[RawStory, ...]:
    """Teasers in page order, one per URL: a later copy fills what the first lacked, and gives
    its date when that is finer (a ``<time>`` beats the day a URL spells)."""
    by_key: dict[str, RawStory] = {}
    for teaser in (t for group in groups for t in group):
        key = teaser.url or teaser.title.casefold()
        first = by_key.get(key)
        if first is None:
            by_key[key] = teaser
        else:
            by_key[key] = _fill(first, teaser)
    return tuple(by_key.values())


_FINER = {None: 0, "approximate": 1, "day": 2, "time": 3}


def _fill(first: RawStory, other: RawStory) -> RawStory:
    dated = other if _FINER[other.precision] > _FINER[first.precision] else first
    return replace(
        first,
        body=first.body or other.body,
        published=dated.published,
        precision=dated.precision,
    )


def remove(elements: list[HtmlElement]) -> None:
    """Take each element out of its tree, keeping the text that followed it."""
    for element in elements:
        if element.getparent() is not None:
            element.drop_tree()
