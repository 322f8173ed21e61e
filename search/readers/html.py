"""HTML reader: one saved news page (or one page of a WARC) into a ``Page``.

Place in the pipeline: ``search.readers.read_file`` hands the bytes of an HTML file here (after
un-gzipping), and ``warc.py`` hands each HTML response it streams. ``extract`` parses the page
once with lxml and takes, in this order:

1. what the page says about itself: JSON-LD, ``<meta>``, ``<link rel=canonical>``, ``<time>``
   (title, source, published date and its precision, canonical URL: ``html_meta.py``, with
   ``webmeta.py``);
2. its related-story rails and JSON-LD ``ItemList``s, each entry a teaser with an absolute URL
   (``related.py``); the rails are then taken out of the tree;
3. its photo captions and their credits, also taken out of the tree;
4. the article's main text, by trafilatura, from what is left (settings: ``EXTRACT``).

A page that is not an article (a section front, a tag page, search results, an error page, a
login wall, an empty JavaScript shell) raises ``NotArticle`` with the reason ``not an article``
or ``no text``. What is taken from where is documented in ``docs/formats.md``.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from search.errors import SkippedFile
from search.models import Caption, Page, RawStory
from search.readers import ReadResult
from search.readers.html_meta import (
    Meta,
    canonical_url,
    first_value,
    headline,
    page_kind,
    published_date,
    publisher,
)
from search.readers.related import (
    find_rails,
    item_list_teasers,
    merge_teasers,
    outermost,
    rail_teasers,
    remove,
    scan,
)
from search.readers.webmeta import (
    absolute,
    site_domain,
)

EXTENSIONS = frozenset({".html", ".htm", ".xhtml", ".shtml"})
MAX_BYTES = 20_000_000
"""Larger pages are skipped as ``too large`` (trafilatura's own limit)."""

EXTRACT: dict[str, Any] = {
    "include_comments": False,
    "favor_precision": True,
    "include_tables": True,
    "include_images": False,
    "deduplicate": False,
    "output_format": "txt",
}
"""trafilatura's settings, chosen on a public set of 181 hand-checked news pages (mean token
F1 of the body, see ``docs/benchmarks.md``): comments are never article text, and precision
mode drops the boxes and lists that sit inside article containers; its fallback extractors
(readability, jusText) stay on, since they rescue pages whose markup trafilatura misreads."""

MIN_TEXT = 150
"""Characters of body below which a page has ``no text``."""
MIN_UNTYPED_TEXT = 500
"""Characters of body a page needs to count as an article when nothing on it says it is one."""

MIN_CARDS = 5
"""Headline links (``<h2><a>``, ``<a><h3>``) left after the rails are taken out, from which a
page that does not say what it is counts as a listing: a section front, a tag page."""
_CARD_HEADLINES = "//h2[a] | //h3[a] | //a[h2] | //a[h3]"

NOT_ARTICLE = "not an article"
NO_TEXT = "no text"
NOT_HTML = "not HTML"
TOO_LARGE = "too large"

_SNIFF = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html|head|body|meta|title|link)\b",
    re.IGNORECASE | re.DOTALL,
)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_CREDIT_LABEL = re.compile(
    r"^(?:photo(?:graph)?s?|pictures?|image|credit|foto|illustration)\s*(?:by)?\s*[:/]\s*"
    r"|^(?:©|\(c\))\s*",
    re.IGNORECASE,
)
_INLINE_CREDIT = re.compile(
    r"\s*(?:[|–—-]\s*)?\b(?:Photo(?:graph)?|Picture|Image|Credit)\s*:\s*(?P<credit>[^.]{2,80})\.?$"
)
_CAPTION_CLASS = re.compile(r"(?:^|[_-])caption(?:[_-]?text)?$")
_CREDIT_CLASS = re.compile(r"credit|copyright|photographer|attribution|byline|source", re.I)
_TABLE_RULE = re.compile(r"[|:\- ]+")
_BOX_WORDS = re.compile(
    r"\b(?:newsletters?|subscribe|subscription|sign ?up|signup|mc4wp|optin|opt in|"
    r"cookies?|consent|gdpr|share|sharing|social|share tools|promo|cta)\b"
)
_BOX_TAGS = frozenset({"div", "aside", "section", "form", "ul", "p"})
_BOX_MAX_CHARS = 400
"""A box holding more text than this is left to the extractor: it may hold the article."""
_OUTSIDE_ARTICLE = ("header", "footer", "nav", "aside")


class NotArticle(Exception):
    """A page that holds no article: ``reason`` is ``not an article`` or ``no text``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason} ({detail})" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(slots=True)
class Decoded:
    text: str
    note: str = ""
    """How the bytes were decoded when not as declared (``declared UTF-8, read as cp1252``)."""


# --- recognising and decoding ---------------------------------------------------------------


def sniff(path: Path, head: bytes) -> bool:
    """True when the bytes open like an HTML document, or the name says HTML and a tag is near
    the top (broken pages often start with stray text)."""
    if _SNIFF.match(head[:2048]):
        return True
    return path.suffix.lower() in EXTENSIONS and b"<" in head[:2048]


def decode(data: bytes, declared: str | None = None) -> Decoded:
    """The page's text: by its BOM, else UTF-8 when it is valid, else the charset it (or the
    HTTP header) declares, else cp1252; a page that declares UTF-8 but is not gets a note."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le")):
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(codec, errors="replace"))
    if data.startswith(codecs.BOM_UTF16_BE):
        return Decoded(data[2:].decode("utf-16-be", errors="replace"))
    try:
        return Decoded(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        bad = err.start
    head = data[:4096]
    found = _XML_ENCODING.search(head) or _CHARSET.search(head)
    charset = declared or (found[1].decode("ascii") if found else "")
    codec = _codec(charset)
    if codec and codec not in ("utf-8", "ascii"):
        try:
            return Decoded(data.decode(codec))
        except UnicodeDecodeError:
            pass
    said = f"declared {charset}" if charset else "no charset declared"
    note = f"{said} but not valid UTF-8 (byte {bad}): read as cp1252"
    try:
        return Decoded(data.decode("cp1252"), note)
    except UnicodeDecodeError:
        return Decoded(data.decode("cp1252", errors="replace"), note)


def _codec(charset: str) -> str:
    try:
        name = codecs.lookup(charset).name if charset else ""
    except LookupError:
        return ""
    # Browsers read a page declared latin-1 as windows-1252; so do we.
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") and charset else name


# --- reading --------------------------------------------------------------------------------


def read(path: Path, data: bytes, crawled_at: datetime) -> ReadResult:
    """One HTML file as one page; raises ``SkippedFile`` for a page that holds no article."""
    spath = str(path)
    if len(data) > MAX_BYTES:
        raise SkippedFile(spath, TOO_LARGE, f"{len(data):,} bytes; the limit is {MAX_BYTES:,}")
    decoded = decode(data)
    try:
        page = extract(decoded.text, crawled_at, path=spath, location=spath)
    except NotArticle as skip:
        raise SkippedFile(spath, skip.reason, skip.detail) from None
    problems = [f"{spath}: {decoded.note}"] if decoded.note else []
    return ReadResult(pages=[page], problems=problems)


def parse(text: str) -> HtmlElement | None:
    """The page as an lxml tree (trafilatura's loader: it mends common breakage)."""
    # lxml refuses text that still carries an XML encoding declaration: it is decoded already.
    return load_html(_XML_DECL.sub("", text, count=1))


def extract(
    text: str,
    crawled_at: datetime,
    *,
    path: str,
    location: str,
    url: str | None = None,
) -> Page:
    """The page's article and teasers; ``url`` is where it was fetched from, when known.

    Raises ``NotArticle`` for a page without article text.
    """
    tree = parse(text)
    if tree is None:
        raise NotArticle(NO_TEXT, "no HTML elements")
    meta = Meta.of(tree)
    canonical = canonical_url(tree, meta, url)
    base = canonical or url or absolute(first_value(tree, "//base/@href"), None)
    source = publisher(meta, canonical or url)
    site = site_domain(canonical or url)

    hinted = scan(tree)
    rails = find_rails(tree, hinted)
    teasers = merge_teasers(
        *(rail_teasers(rail, base, site, source, crawled_at) for rail in rails),
        item_list_teasers(meta.ld, base, site, source, crawled_at),
    )
    remove(rails)
    published, precision = published_date(tree, meta, canonical or url, crawled_at)
    title = headline(tree, meta)
    captions = take_captions(tree, hinted)
    remove(find_boxes(tree, hinted))

    body = main_text(tree, url, title)
    kind = page_kind(meta)
    if kind is None and len(tree.xpath(_CARD_HEADLINES)) >= MIN_CARDS:
        kind = "listing"
    if len(body) < MIN_TEXT:
        raise NotArticle(NO_TEXT, f"{len(body)} characters of text" + _label(title, url))
    if kind == "listing" or (kind is None and len(body) < MIN_UNTYPED_TEXT):
        said = "the page says it is a listing" if kind else f"only {len(body)} characters"
        raise NotArticle(NOT_ARTICLE, said + _label(title, url))
    article = RawStory(
        kind="article",
        title=title,
        source=source,
        published=published,
        precision=precision,
        body=body,
        captions=captions,
        url=canonical,
    )
    return Page(
        path=path,
        location=location,
        crawled_at=crawled_at,
        article=article,
        teasers=tuple(t for t in teasers if t.url is None or t.url != canonical),
    )


def _label(title: str, url: str | None) -> str:
    return f": {url}" if url else (f": {title!r}" if title else "")


# --- captions -------------------------------------------------------------------------------


def take_captions(tree: HtmlElement, hinted: list[tuple[HtmlElement, str]]) -> tuple[Caption, ...]:
    """Captions of the figures outside page furniture, each split into text and credit, and
    taken out of the tree so the body does not repeat them.

    A caption is a ``<figcaption>``, or an element with no image in it whose class names a
    caption (``wp-caption-text``, ``image-caption``, ``article__caption``).
    """
    captions: list[Caption] = []
    found = list(tree.iter("figcaption"))
    found += [e for e, words in hinted if "caption" in words and _is_caption_class(e)]
    for element in outermost(found):
        if not _attached(element, tree) or any(
            a.tag in _OUTSIDE_ARTICLE for a in element.iterancestors()
        ):
            continue  # furniture, or inside a rail taken out
        caption = split_caption(element)
        if caption.text or caption.credit:
            captions.append(caption)
        element.drop_tree()
    return tuple(dict.fromkeys(captions))


def _attached(element: HtmlElement, root: HtmlElement) -> bool:
    return any(a is root for a in element.iterancestors())


def _is_caption_class(element: HtmlElement) -> bool:
    names = element.get("class", "").lower().split()
    return any(_CAPTION_CLASS.search(name) for name in names) and element.find(".//img") is None


def split_caption(figcaption: HtmlElement) -> Caption:
    """Caption text and photo credit: the credit is an element marked as one (``credit``,
    ``copyright``, ``<small>``, ``<cite>``), or a trailing ``Photo: …``."""
    credits = [
        element
        for element in figcaption.iterdescendants()
        if isinstance(element.tag, str)
        and (element.tag in ("small", "cite") or _CREDIT_CLASS.search(element.get("class", "")))
    ]
    credit = ""
    for element in credits:
        if not credit:
            credit = " ".join(element.text_content().split())
        element.drop_tree()
    text = " ".join(figcaption.text_content().split())
    if not credit and (match := _INLINE_CREDIT.search(text)):
        credit, text = match["credit"], text[: match.start()]
    credit = _CREDIT_LABEL.sub("", credit).strip()
    return Caption(text=text.strip(" |–—-"), credit=credit)


# --- the body -------------------------------------------------------------------------------


def find_boxes(tree: HtmlElement, hinted: list[tuple[HtmlElement, str]]) -> list[HtmlElement]:
    """Newsletter, subscription, sharing and consent boxes: never article text, yet they sit
    inside article containers, where the extractor keeps them."""
    return outermost(
        [
            element
            for element, words in hinted
            if element.tag in _BOX_TAGS
            and _BOX_WORDS.search(words)
            and _attached(element, tree)
            and not _holds_text(element)
        ]
    )


def _holds_text(element: HtmlElement) -> bool:
    return len(element.text_content()) > _BOX_MAX_CHARS


def main_text(tree: HtmlElement, url: str | None, title: str) -> str:
    """The article's main text by trafilatura, one paragraph a block (``RawStory.body``),
    without the headline repeated at its top or the rule rows of its tables."""
    text = trafilatura.extract(tree, url=url, **EXTRACT) or ""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lines = [line for line in lines if line and not _TABLE_RULE.fullmatch(line)]
    if lines and title and lines[0].casefold() == title.casefold():
        lines = lines[1:]
    return "\n\n".join(lines)
