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

from search.models import Caption, Page, RawStory
from search.readers import ReadResult

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

AGENCIES: tuple[str, ...] = (
    "AAP", "ABACA", "AFP", "ALAMY", "ANADOLU", "ANADOLU AGENCY", "ANI", "ANSA", "AP",
    "ASSOCIATED PRESS", "BERNAMA", "BLOOMBERG", "CNA", "DPA", "EFE", "EPA", "GETTY",
    "GETTY IMAGES", "IMAGO", "JIJI", "JIJI PRESS", "KYODO", "KYODO NEWS", "NURPHOTO", "PA",
    "PA MEDIA", "PA WIRE", "PTI", "REUTERS", "SHUTTERSTOCK", "SIPA", "SIPA USA", "SPUTNIK",
    "STR", "TASS", "UPI", "XINHUA", "YONHAP", "ZUMA PRESS",
)  # fmt: skip
"""Words that end a photo credit: after them, capitals belong to the next sentence."""

CREDIT_TAIL: frozenset[str] = frozenset({"/", "FILE", "PHOTO", "PHOTOS"})
"""Words that may still follow an agency inside a credit (``REUTERS / FILE PHOTO``)."""

ABBREVIATIONS: frozenset[str] = frozenset(
    "mr mrs ms dr st jr sr gen lt col capt sgt gov sen rep prof rev no vs inc corp co ltd mt ft "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
"""Words whose full stop does not end a sentence (initials and ``U.S.`` are caught anyway)."""

DATE_LINE_WINDOW = 30
"""How many non-blank lines from the top may come before the date line."""

_AGENCY_PHRASES = tuple(tuple(agency.split()) for agency in AGENCIES)
_AGENCY_WORDS = frozenset(agency for agency in AGENCIES if " " not in agency)
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
_INLINE_PIPE = re.compile(r"\s+\|(?:\s+|$)")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+")
_TOKEN = re.compile(r"\S+")
_CREDIT_CHARS = frozenset("'’.-/&()")
_MAX_CREDIT_WORDS = 15
_MAX_CREDIT_LINE = 80

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


def body_and_captions(texts: list[str]) -> tuple[str, tuple[Caption, ...]]:
    """Paragraphs joined by blank lines, with photo captions and their credits taken out.

    A caption is a line ending in ``|``; the next line is its credit when it is in capitals.
    Captions glued inside a paragraph are split out by ``split_inline_captions``.
    """
    paragraphs: list[str] = []
    captions: list[Caption] = []
    index = 0
    while index < len(texts):
        line = texts[index]
        index += 1
        if line.endswith("|"):
            credit = ""
            if index < len(texts) and is_credit_line(texts[index]):
                credit = texts[index]
                index += 1
            caption = line[:-1].rstrip()
            if caption:
                captions.append(Caption(text=caption, credit=credit))
            continue
        paragraph, inline = split_inline_captions(line)
        captions.extend(inline)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs), tuple(captions)


def is_credit_line(line: str) -> bool:
    """True for a short line in capitals, the way photo credits are printed."""
    words = line.split()
    return (
        0 < len(words) <= _MAX_CREDIT_WORDS
        and len(line) <= _MAX_CREDIT_LINE
        and all(is_caps_word(word.rstrip(",")) for word in words)
    )


# --- inline captions ----------------------------------------------------------------------


def split_inline_captions(text: str) -> tuple[str, tuple[Caption, ...]]:
    """Take captions glued into running text out of it.

    ``… pressure is needed." French President … on June 24 | POOL / VIA REUTERS EU foreign
    ministers …`` gives the text ``… pressure is needed." EU foreign ministers …`` and the
    caption ``French President … on June 24`` credited ``POOL / VIA REUTERS``. The caption
    begins after the last sentence end before the `` | ``; the credit is the run of capitals
    after it, cut after the last agency word (``AGENCIES``) so that a next sentence opening with
    capitals (``EU``) is kept. A `` | `` followed by no credit is left alone, except at the very
    end of the text, where it marks a caption with no credit.
    """
    captions: list[Caption] = []
    kept: list[str] = []
    resume = 0
    for pipe in _INLINE_PIPE.finditer(text):
        if pipe.start() < resume:
            continue
        at_end = pipe.end() == len(text)
        credit, credit_end = read_credit(text, pipe.end())
        if not credit and not at_end:
            continue
        start = caption_start(text, resume, pipe.start())
        caption = text[start : pipe.start()].strip()
        if not caption:
            continue
        captions.append(Caption(text=caption, credit=credit))
        kept.append(text[resume:start])
        resume = credit_end if credit else pipe.end()
    kept.append(text[resume:])
    body = " ".join(part.strip() for part in kept if part.strip())
    return body, tuple(captions)


def caption_start(text: str, lower: int, pipe: int) -> int:
    """Where a caption ending at ``pipe`` begins: after the last sentence end since ``lower``."""
    end = lower + len(text[lower:pipe].rstrip())
    start = lower
    for stop in _SENTENCE_END.finditer(text, lower, end):
        if stop.end() < end and not is_abbreviation(text, lower, stop.start()):
            start = stop.end()
    return start


def is_abbreviation(text: str, lower: int, stop: int) -> bool:
    """True when the full stop at ``stop`` closes an abbreviation, not a sentence."""
    if text[stop] != ".":
        return False
    word_start = max(text.rfind(" ", lower, stop), lower - 1) + 1
    word = text[word_start:stop].lstrip("\"'“‘(")
    return (
        "." in word  # U.S., a.m.
        or (len(word) == 1 and word.isalpha())  # initials: Phillips P. O'Brien
        or word.casefold() in ABBREVIATIONS
    )


def read_credit(text: str, start: int) -> tuple[str, int]:
    """The photo credit starting at ``start``, and where it ends; ``("", start)`` if none."""
    run: list[re.Match[str]] = []
    for token in _TOKEN.finditer(text, start):
        if not is_caps_word(token.group()) or len(run) == _MAX_CREDIT_WORDS:
            break
        run.append(token)
    words = [token.group() for token in run]
    length = agency_end(words)
    if length:
        while length < len(words) and words[length] in CREDIT_TAIL:
            length += 1
    else:
        length = len(words)
        # No agency to stop at: a lone "A" or "I" at the end opens the next sentence.
        if length > 1 and words[-1] in {"A", "I"}:
            length -= 1
    while length and words[length - 1] in {"/", "&", "-"}:
        length -= 1
    if not length:
        return "", start
    return text[run[0].start() : run[length - 1].end()], run[length - 1].end()


def agency_end(words: list[str]) -> int:
    """Number of words up to and including the last agency name among them; 0 if none."""
    end = 0
    for index, word in enumerate(words):
        if _AGENCY_WORDS.intersection(re.split(r"[-/]", word.strip(".,;:()"))):
            end = index + 1
        for phrase in _AGENCY_PHRASES:
            if tuple(words[index : index + len(phrase)]) == phrase:
                end = max(end, index + len(phrase))
    return end


def is_caps_word(word: str) -> bool:
    """True for a word written in capitals (``REUTERS``, ``AFP-JIJI``, ``U.S.``) or a slash."""
    if word in {"/", "&", "-"}:
        return True
    return (
        any(char.isalpha() for char in word)
        and not any(char.islower() for char in word)
        and all(char.isalnum() or char in _CREDIT_CHARS for char in word)
    )


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
