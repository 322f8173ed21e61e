"""Reader for news-aggregator pages: one text file holds one article and its related teasers.

Place in the pipeline: ``search.readers.read_file`` decodes the file (BOM, cp1252 and CRLF are
handled there), asks ``sniff`` whether the text is an aggregator page and, if so, calls ``read``,
which returns one ``Page``: the article as a ``RawStory(kind="article")`` and each related story
as a ``RawStory(kind="teaser")``. Splitting and folding into ``Story`` records happens later.

The page, top to bottom (see ``DESIGN.md``, "The input: what a page looks like")::

    logo
    Headline                         (usually twice, once is possible)
    Japan Times23-05-2025            source glued to a DD-MM-YYYY date
    body paragraph, one a line
    caption text ending in |         photo caption ...
    GABRIEL DOMINGUEZ                ... and its credit, in capitals
    Orange background, Comments ...  page furniture, dropped wherever it appears
    Related Articles
    Headline / Headline / Source / time2 hours ago / • Source / Headline / teaser text
    ... one such block per related story ...
    DOWNLOAD THE APP                 the app advert: it and everything after it is dropped

Decisions for pages that do not follow the pattern (real crawls are untidy):

- No date line (a page cut off near the top): the first line is the headline, the rest is the
  body, the source is ``""`` and ``published``/``precision`` are ``None``; a problem is noted.
- An impossible date (``31-02-2025``): the page is read, ``published``/``precision`` are
  ``None`` and a problem is noted.
- Lines between the headline and the date line that are not the headline again are kept as the
  first body paragraphs: text is never silently lost.
- Inline captions (``... on June 24 | POOL / VIA REUTERS EU ministers ...``) are split out of
  article paragraphs as well as teaser text; a `` | `` with no capitalised credit after it is
  left alone as ordinary text, unless it ends the text (then it is a caption with no credit).
- A related story missing its teaser text is kept with an empty body: its title is still news.
- A page with neither headline, body nor related stories gives a ``Page`` with no article and
  no teasers, plus a problem saying so; ``read`` never raises on odd input.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from search.models import Page, RawStory
from search.readers import ReadResult
from search.readers.captions import body_and_captions

FURNITURE: tuple[str, ...] = (
    r"logo",
    r"Orange background",
    r"Try Our AI Features",
    r"Explore what .{1,60} can do for you:?",
    r"Comments",
    r"No comments yet(?:\.\.\.|…)?",
    r"Get Started Now: Download the App",
    r"Ready to dive into a world of global content.*",
    r"app-store ?play-store",
)
"""Page furniture: regular expressions, each matched against a whole line, case ignored."""

END_OF_PAGE: tuple[str, ...] = ("DOWNLOAD THE APP",)
"""Lines that start the app advert: the line and everything after it are dropped."""

RELATED_HEADER = "Related Articles"

DATE_LINE_WINDOW = 30
"""How many non-blank lines from the top may come before the date line."""

_FURNITURE = tuple(re.compile(pattern, re.IGNORECASE) for pattern in FURNITURE)
_END_OF_PAGE = frozenset(marker.casefold() for marker in END_OF_PAGE)

_DATE_LINE = re.compile(r"(?P<source>.{0,80}?)(?<!\s)(?P<date>\d{2}-\d{2}-\d{4})")
_TIME_LINE = re.compile(r"time(?P<age>\S.{0,29})")
_BULLET_LINE = re.compile(r"[•·∙]\s*(?P<source>.*)")
_AGE = re.compile(
    r"(?P<count>\d+|an?|one|a few)\s+(?P<unit>second|minute|min|hour|hr|day|week|month|year)s?"
    r"\s+ago",
    re.IGNORECASE,
)
_UNIT = {
    "second": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "hr": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
    "year": timedelta(days=365),
}
_COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "a few": 3}
_AGE_WORDS = {
    "just now": timedelta(0),
    "now": timedelta(0),
    "moments ago": timedelta(0),
    "today": timedelta(0),
    "yesterday": timedelta(days=1),
}


class Line(NamedTuple):
    """A non-blank line of the page: its 1-based number in the file and its tidied text."""

    number: int
    text: str


# --- recognising the format ---------------------------------------------------------------


def sniff(path: Path, text: str) -> bool:
    """True when ``text`` looks like an aggregator page.

    That is: a source-glued ``DD-MM-YYYY`` line among the first non-blank lines, or (for a page
    cut off before its date line) a ``.txt`` file whose first line is the ``logo`` mark.
    JSON text is never an aggregator page.
    """
    head = _first_nonblank(text, DATE_LINE_WINDOW)
    if not head or head[0].startswith(("{", "[")):
        return False
    if any(parse_date_line(line) for line in head):
        return True
    return path.suffix.lower() == ".txt" and head[0].casefold() == "logo"


def _first_nonblank(text: str, limit: int) -> list[str]:
    lines: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if line:
            lines.append(line)
            if len(lines) == limit:
                break
    return lines


# --- reading a page -----------------------------------------------------------------------


def read(path: Path, text: str, crawled_at: datetime) -> ReadResult:
    """Read one decoded aggregator page into a ``ReadResult`` holding exactly one ``Page``."""
    spath = str(path)
    problems: list[str] = []
    lines = page_lines(text)
    article_part, related_part = split_at_related(lines)
    article = read_article(article_part, spath, problems)
    teasers = read_teasers(related_part, crawled_at, spath, problems)
    if article is None and not teasers:
        problems.append(f"{spath}: no headline, body or related stories found")
    page = Page(
        path=spath,
        location=spath,
        crawled_at=crawled_at,
        article=article,
        teasers=tuple(teasers),
    )
    return ReadResult(pages=[page], problems=problems)


def page_lines(text: str) -> list[Line]:
    """The page's non-blank lines, whitespace tidied, furniture and the app advert removed."""
    lines: list[Line] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = " ".join(raw.split())
        if not line:
            continue
        if line.casefold() in _END_OF_PAGE:
            break
        if not is_furniture(line):
            lines.append(Line(number, line))
    return lines


def is_furniture(line: str) -> bool:
    """True for a line of the aggregator's own page furniture (see ``FURNITURE``)."""
    return any(pattern.fullmatch(line) for pattern in _FURNITURE)


def split_at_related(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """The lines before the first ``Related Articles`` header, and the lines after it."""
    for index, line in enumerate(lines):
        if line.text.casefold() == RELATED_HEADER.casefold():
            return lines[:index], lines[index + 1 :]
    return lines, []


# --- the article --------------------------------------------------------------------------


def parse_date_line(line: str) -> tuple[str, str] | None:
    """``"Japan Times23-05-2025"`` to ``("Japan Times", "23-05-2025")``; ``None`` if not one."""
    match = _DATE_LINE.fullmatch(line.strip())
    if match is None:
        return None
    return match["source"].strip(), match["date"]


def parse_day(date: str) -> datetime | None:
    """``"23-05-2025"`` to a naive midnight datetime; ``None`` for an impossible date."""
    try:
        return datetime.strptime(date, "%d-%m-%Y")
    except ValueError:
        return None


def find_date_line(lines: list[Line]) -> int | None:
    """Index of the source-and-date line among the first lines of the article, if any."""
    for index, line in enumerate(lines[:DATE_LINE_WINDOW]):
        if parse_date_line(line.text):
            return index
    return None


def read_article(lines: list[Line], path: str, problems: list[str]) -> RawStory | None:
    """The article: headline, source, day published, body and captions (see module notes)."""
    if not lines:
        return None
    date_index = find_date_line(lines)
    source, published = "", None
    if date_index is None:
        problems.append(f"{path}:{lines[0].number}: no source and date line; source unknown")
        heading, rest = lines, []
    else:
        date_line = lines[date_index]
        source, date = parse_date_line(date_line.text) or ("", "")
        published = parse_day(date)
        if published is None:
            problems.append(f"{path}:{date_line.number}: impossible date {date!r}; date unknown")
        heading, rest = lines[:date_index], lines[date_index + 1 :]
    title, leftover = headline(heading)
    if date_index is not None and not title:
        problems.append(f"{path}:{lines[date_index].number}: no headline before the date line")
    body, captions = body_and_captions([line.text for line in leftover + rest])
    if not title and not body and not captions:
        return None
    return RawStory(
        kind="article",
        title=title,
        source=source,
        published=published,
        precision="day" if published else None,
        body=body,
        captions=captions,
    )


def headline(lines: list[Line]) -> tuple[str, list[Line]]:
    """The first line as headline, and the lines after it that are not the headline again."""
    if not lines:
        return "", []
    title = lines[0].text
    return title, [line for line in lines[1:] if not same_text(line.text, title)]


def same_text(a: str, b: str) -> bool:
    """Equal but for case (the page repeats headlines, sometimes with other capitals)."""
    return a.casefold() == b.casefold()


# --- related stories ----------------------------------------------------------------------


def parse_age(text: str) -> timedelta | None:
    """``"2 hours ago"``, ``"an hour ago"``, ``"yesterday"``, ``"just now"`` … as a timedelta."""
    age = " ".join(text.split()).casefold()
    if age in _AGE_WORDS:
        return _AGE_WORDS[age]
    match = _AGE.fullmatch(age)
    if match is None:
        return None
    count = match["count"]
    number = int(count) if count.isdigit() else _COUNT_WORDS[count]
    return number * _UNIT[match["unit"]]


def read_teasers(
    lines: list[Line], crawled_at: datetime, path: str, problems: list[str]
) -> list[RawStory]:
    """One teaser per related block; each block is found by its ``time…`` line.

    Around the ``time`` line at ``t``: the source at ``t-1``, the headline at ``t-2`` (and
    ``t-3`` when printed twice); after it ``• Source``, the headline again and the teaser text,
    which runs up to the next block's headline.
    """
    anchors = [index for index, line in enumerate(lines) if _TIME_LINE.fullmatch(line.text)]
    if not anchors:
        if lines:
            problems.append(f"{path}:{lines[0].number}: related stories without a time line")
        return []
    starts: list[int] = []
    floor = 0
    for anchor in anchors:
        starts.append(block_start(lines, anchor, floor))
        floor = anchor + 1
    if starts[0] > 0:
        problems.append(f"{path}:{lines[0].number}: text before the first related story left out")
    ends = starts[1:] + [len(lines)]
    teasers = [
        read_teaser(lines[start:anchor], lines[anchor], lines[anchor + 1 : end], crawled_at)
        for start, anchor, end in zip(starts, anchors, ends, strict=True)
    ]
    for anchor, teaser in zip(anchors, teasers, strict=True):
        if teaser.published is None:
            age = lines[anchor].text.removeprefix("time")
            problems.append(f"{path}:{lines[anchor].number}: unknown age {age!r}; date unknown")
    return teasers


def block_start(lines: list[Line], anchor: int, floor: int) -> int:
    """Index of the first header line (headline, repeated headline, source) of a block."""
    start = max(anchor - 2, floor)
    if start > floor and same_text(lines[start - 1].text, lines[start].text):
        start -= 1
    return start


def read_teaser(
    header: list[Line], time_line: Line, after: list[Line], crawled_at: datetime
) -> RawStory:
    """One related story from its header lines, its ``time…`` line and the lines after it."""
    texts = [line.text for line in after]
    bullet_source = ""
    if texts and (bullet := _BULLET_LINE.fullmatch(texts[0])):
        bullet_source = bullet["source"].strip()
        texts = texts[1:]
    title, source = teaser_title_and_source([line.text for line in header], bullet_source)
    if not title and texts:
        title, texts = texts[0], texts[1:]
    elif texts and same_text(texts[0], title):
        texts = texts[1:]
    body, captions = body_and_captions(texts)
    age = parse_age(time_line.text.removeprefix("time"))
    return RawStory(
        kind="teaser",
        title=title,
        source=source,
        published=crawled_at - age if age is not None else None,
        precision="approximate" if age is not None else None,
        body=body,
        captions=captions,
    )


def teaser_title_and_source(header: list[str], bullet_source: str) -> tuple[str, str]:
    """Headline and source from a block's header lines, the ``• Source`` line filling gaps."""
    if not header:
        return "", bullet_source
    if len(header) == 1:
        if bullet_source and not same_text(header[0], bullet_source):
            return header[0], bullet_source
        return "", header[0]
    title, source = header[-2], header[-1]
    if bullet_source and same_text(title, source) and not same_text(source, bullet_source):
        return title, bullet_source  # the source line is missing: the headline came twice
    return title, source
