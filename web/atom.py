"""A search's newest matches as an Atom 1.0 feed (RFC 4287), built with ElementTree, which
escapes every text and attribute; characters XML cannot hold are dropped first.

Entry ids are ``urn:newsdex:story:<id>``: the story's id, which stays the same across
rebuilds of the same pages, so a feed reader shows each story once. ``updated`` is the
story's date (the Unix epoch for a story without one), and the summary the passage that
matched best, as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote
from xml.etree import ElementTree as ET

from search.models import SearchResults, StoryHit

ATOM = "http://www.w3.org/2005/Atom"
EPOCH = datetime(1970, 1, 1)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def feed(
    results: SearchResults,
    *,
    feed_id: str,
    self_url: str,
    page_url: str,
    story_url: Callable[[str], str],
) -> bytes:
    """The feed's XML: ``results.hits`` (newest first) as entries."""
    q = results.request.q
    root = ET.Element("feed", {"xmlns": ATOM})
    _text(root, "title", f"newsdex: {q}" if q else "newsdex: all stories")
    _text(root, "subtitle", f"The newest of {results.total:,} matching stories")
    _text(root, "id", feed_id)
    newest = max((hit.published for hit in results.hits if hit.published), default=EPOCH)
    _text(root, "updated", _time(newest))
    ET.SubElement(root, "link", {"rel": "self", "type": "application/atom+xml", "href": self_url})
    ET.SubElement(root, "link", {"rel": "alternate", "type": "text/html", "href": page_url})
    _text(ET.SubElement(root, "author"), "name", "newsdex")
    _text(root, "generator", "newsdex")
    for hit in results.hits:
        root.append(_entry(hit, story_url(hit.id)))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def entry_id(story_id: str) -> str:
    """The Atom id of a story's entry."""
    return f"urn:newsdex:story:{quote(story_id, safe='')}"


def _entry(hit: StoryHit, href: str) -> ET.Element:
    entry = ET.Element("entry")
    _text(entry, "title", hit.title or "(untitled)")
    _text(entry, "id", entry_id(hit.id))
    _text(entry, "updated", _time(hit.published or EPOCH))
    if hit.published:
        _text(entry, "published", _time(hit.published))
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": href})
    if hit.source:
        _text(ET.SubElement(entry, "author"), "name", hit.source)
    for topic, label in zip(hit.topics, hit.topic_labels, strict=False):
        ET.SubElement(entry, "category", {"term": _clean(topic), "label": _clean(label)})
    if hit.snippets:
        _text(entry, "summary", " ".join(hit.snippets[0].text.split()))
    return entry


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = _clean(text)
    return element


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
