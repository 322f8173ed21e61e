"""Reuters-21578 reader: the SGML newswire files (``reut2-*.sgm``) into ``Page`` records.

Place in the pipeline: ``search.readers.read_file`` hands the raw bytes here (the files are
latin-1, not UTF-8); each ``<REUTERS>`` element becomes one ``Page`` whose article is the story,
and the pages go on to be split into stories. What is taken from each element, and how the
malformed dates are mended, is documented in ``docs/formats.md``.

The files are not XML: they hold references to control characters (``&#3;``) that an XML parser
rejects, so the elements are found with regular expressions and their text unescaped by hand.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from search.errors import SkippedFile
from search.models import Page, Precision, RawStory
from search.readers import UNRECOGNISED, ReadResult

SOURCE = "Reuters"
TITLE_LIMIT = 120
"""Longest title taken from the first line of a story that has no ``<TITLE>``."""

HEAD = re.compile(rb"^[ \t]*(?:<REUTERS\b|<!DOCTYPE\s+lewis\b)", re.IGNORECASE | re.MULTILINE)
ELEMENT_START = re.compile(r"<REUTERS\b([^>]*)>")
ELEMENT_END = "</REUTERS>"
ATTRIBUTE = re.compile(r'(\w+)\s*=\s*"([^"]*)"')
INNER_PARTS = re.compile(r"<(TITLE|DATELINE|AUTHOR)>.*?</\1>", re.DOTALL)
TOPIC = re.compile(r"<D>(.*?)</D>", re.DOTALL)

CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
STARS = re.compile(r"^[ \t]*\d*\*{2,}", re.MULTILINE)
"""Runs of asterisks (sometimes after a number) that open BRIEF and UNPROC texts."""
FILLER = "Blah blah blah."
"""What the BRIEF stories hold in place of a body."""
SIGN_OFF_LINE = re.compile(r"\s*reut(?:e|er|ers)[.\d]*(?:\^M)?\s*", re.IGNORECASE)
"""The sign-off line and its variants: ``Reuter``, ``REUTER...``, ``reuter^M``, ``Reuter4``."""
SIGN_OFF_TAIL = re.compile(r"(?<=[^\sA-Za-z])\s+reuter\S*\s*$", re.IGNORECASE)
"""A sign-off glued to the last line (``... GONZAGA NIL. REUTER``, ``....17 REUTER``); only
after a figure or a stop, so that ``... told Reuters.`` stays."""

TIMESTAMP = re.compile(
    r"(\d{1,2})-([A-Za-z]{3})-(\d{4})"
    r"(?:\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?!\d))?"
)
# Our own month table: strptime's %b follows the locale.
MONTHS = {
    name: number
    for number, name in enumerate(
        "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1
    )
}


@dataclass(frozen=True, slots=True)
class Element:
    """One ``<REUTERS>`` element: its attributes, its raw inside, and the line it starts on."""

    attributes: dict[str, str]
    inside: str
    line: int


def sniff(path: Path, head: bytes) -> bool:
    """True for a ``.sgm`` file, or one whose head opens a Reuters element or the lewis DTD."""
    return path.suffix.lower() == ".sgm" or HEAD.search(head) is not None


def read(path: Path, data: bytes, crawled_at: datetime) -> ReadResult:
    """Every element with some text as one page; every other as a ``file:line: reason``.

    Raises ``SkippedFile`` when the file holds no ``<REUTERS>`` element at all.
    """
    text = data.decode("latin-1").replace("\r\n", "\n").replace("\r", "\n")
    found = list(elements(text))
    if not found:
        # A .sgm file of some other kind: skipped and counted, not silently empty.
        raise SkippedFile(str(path), UNRECOGNISED, "no <REUTERS> elements")
    result = ReadResult()
    for element in found:
        newid = element.attributes.get("NEWID", "").strip()
        if not newid:
            result.problems.append(f"{path}:{element.line}: no NEWID attribute")
            continue
        story = story_from(element.inside, newid)
        if story is None:
            result.problems.append(f"{path}:{element.line}: no title and no body text")
            continue
        result.pages.append(
            Page(path=str(path), location=f"{path}#{newid}", crawled_at=crawled_at, article=story)
        )
    return result


def elements(text: str) -> Iterator[Element]:
    """The ``<REUTERS>`` elements in file order; one left open ends where the next begins."""
    starts = list(ELEMENT_START.finditer(text))
    line, counted_to = 1, 0
    for number, start in enumerate(starts):
        line += text.count("\n", counted_to, start.start())
        counted_to = start.start()
        limit = starts[number + 1].start() if number + 1 < len(starts) else len(text)
        end = text.find(ELEMENT_END, start.end(), limit)
        attributes = {name.upper(): value for name, value in ATTRIBUTE.findall(start.group(1))}
        yield Element(attributes, text[start.end() : limit if end < 0 else end], line)


def story_from(inside: str, newid: str) -> RawStory | None:
    """The story in one element, or ``None`` when it has neither title nor body text."""
    text_part = tag_content(inside, "TEXT")
    title = one_line(clean(tag_content(text_part, "TITLE")))
    body_part = tag_content(text_part, "BODY")
    if body_part is not None:
        body_text = clean(body_part)
    else:
        # BRIEF and UNPROC texts have no <BODY>: what is left of <TEXT> is the body.
        body_text = STARS.sub("", clean(INNER_PARTS.sub("", text_part or "")))
    lines = body_lines(body_text)
    if not title:
        title, lines = title_from_first_line(lines)
    body = paragraphs(lines)
    if not title and not body:
        return None
    published, precision = parse_date(clean(tag_content(inside, "DATE")))
    return RawStory(
        kind="article",
        title=title,
        source=SOURCE,
        published=published,
        precision=precision,
        body=body,
        topics=topics_from(tag_content(inside, "TOPICS")),
        id=f"reuters-{newid}",
    )


def tag_content(text: str | None, tag: str) -> str | None:
    """The raw inside of the first ``<tag ...>...</tag>`` in ``text`` (to its end when the tag
    is left open), or ``None`` when there is no such tag."""
    if text is None:
        return None
    opening = re.search(f"<{tag}[ >]", text)
    if opening is None:
        return None
    start = text.find(">", opening.start()) + 1
    end = text.find(f"</{tag}>", start)
    return text[start:] if end < 0 else text[start:end]


def clean(raw: str | None) -> str:
    """Entities and character references resolved, control characters of the wire removed."""
    if not raw:
        return ""
    return CONTROLS.sub("", html.unescape(raw).replace("\t", " "))


def one_line(text: str) -> str:
    return " ".join(text.split())


def body_lines(text: str) -> list[str]:
    """The body's lines without the BRIEF filler and the sign-off."""
    lines = [line.rstrip() for line in text.split("\n") if line.strip() != FILLER]
    # Some stories are signed off twice (``REUTER`` then `` Reuter``).
    while lines and (not lines[-1].strip() or SIGN_OFF_LINE.fullmatch(lines[-1])):
        lines.pop()
    if lines:
        lines[-1] = SIGN_OFF_TAIL.sub("", lines[-1])
    return lines


def title_from_first_line(lines: list[str]) -> tuple[str, list[str]]:
    """For a story without a title: its first line, moved out of the body when it is short
    enough to be a headline, else cut at a word and left in the body as well."""
    for number, line in enumerate(lines):
        first = one_line(line)
        if not first:
            continue
        if len(first) <= TITLE_LIMIT:
            return first, lines[number + 1 :]
        return first[:TITLE_LIMIT].rsplit(" ", 1)[0] + "…", lines
    return "", lines


def paragraphs(lines: list[str]) -> str:
    """Wrapped wire lines joined into paragraphs separated by blank lines.

    On the wire a paragraph starts with an indented line (or follows a blank one) and goes on
    in lines at the margin; table rows are each indented, so each stays a line of its own.
    """
    found: list[list[str]] = []
    open_paragraph = False
    for line in lines:
        if not line.strip():
            open_paragraph = False
            continue
        if open_paragraph and not line[0].isspace():
            found[-1].append(line.strip())
        else:
            found.append([line.strip()])
            open_paragraph = True
    return "\n\n".join(" ".join(paragraph) for paragraph in found)


def topics_from(raw: str | None) -> tuple[str, ...]:
    """The ``<D>`` entries of ``<TOPICS>``, as the collection gives them."""
    if not raw:
        return ()
    topics = (one_line(clean(topic)) for topic in TOPIC.findall(raw))
    return tuple(dict.fromkeys(topic for topic in topics if topic))


def parse_date(text: str) -> tuple[datetime | None, Precision | None]:
    """``26-FEB-1987 15:01:01.79`` as a naive datetime, salvaging what a malformed one holds.

    Leading spaces, doubled spaces and trailing wire codes are passed over. When the time of day
    is impossible (``605:12:19.12``), missing, or marked as a guess, only the day is kept.
    """
    match = TIMESTAMP.search(text)
    if match is None:
        return None, None
    day, month_name, year, hour, minute, second, fraction = match.groups()
    month = MONTHS.get(month_name.lower())
    if month is None:
        return None, None
    try:
        day_only = datetime(int(year), month, int(day))
    except ValueError:
        return None, None
    if hour is None or "guess" in text[match.end() :].lower():
        return day_only, "day"
    try:
        moment = day_only.replace(
            hour=int(hour),
            minute=int(minute),
            second=int(second),
            microsecond=int((fraction or "0").ljust(6, "0")),
        )
    except ValueError:
        return day_only, "day"
    return moment, "time"


CATEGORY_FILE = "cat-descriptions_120396.txt"
"""Lewis's notes on the categories, shipped beside the SGML files: the names of the codes."""
_CATEGORY = re.compile(r"^\s*(\S[^()\n]*?)\s+\(([A-Z][A-Z0-9-]*)\)\s*$", re.MULTILINE)
_BARE_CODE = re.compile(r"^([A-Z][A-Z-]*[A-Z])[ \t]*$", re.MULTILINE)
"""A commodity listed by its code alone (``WHEAT``, ``IRON-STEEL``): its name is the word."""
_END_OF_TOPICS = "\n____"
"""The rule that closes the subject codes; organisations, people and places follow."""


def topic_labels(folder: Path) -> dict[str, str]:
    """Reuters topic code -> its name (``money-fx`` -> ``Money/Foreign Exchange``), read from
    ``CATEGORY_FILE`` in ``folder``; empty when there is none. Only the subject codes are
    read (the topics of ``<TOPICS>``), not the organisations, exchanges, people or places."""
    try:
        text = (folder / CATEGORY_FILE).read_bytes().decode("latin-1")
    except OSError:
        return {}
    end = text.find(_END_OF_TOPICS)
    topics = text[: end if end > 0 else len(text)]
    labels = {
        code.lower(): code.replace("-", " ").capitalize() for code in _BARE_CODE.findall(topics)
    }
    labels.update((code.lower(), name.strip()) for name, code in _CATEGORY.findall(topics))
    return labels
