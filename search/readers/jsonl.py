"""JSON Lines reader: one story per line, written by other scrapers, into ``Page`` records.

Place in the pipeline: ``search.readers.read_file`` decodes the file and hands the text here;
each good line becomes one ``Page`` whose article is the line's story, and the pages go on to be
split into stories. The fields are documented in ``docs/formats.md``. A bad line is left out and
reported as ``file:line: reason``; the rest of the file is still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from search.models import Caption, Kind, Page, Precision, RawStory
from search.readers import ReadResult

EXTENSIONS = frozenset({".jsonl", ".ndjson", ".json"})
KINDS: tuple[Kind, ...] = ("article", "teaser")
SNIFF_LINES = 5
"""How many non-blank lines sniffing looks at in a file whose extension says JSON."""


class BadLine(ValueError):
    """A line that cannot become a story; its message is the reason a person reads."""


def sniff(path: Path, text: str) -> bool:
    """True when the text is JSON Lines: its first line is a JSON object, or its extension says
    JSON and one of its first few lines is a JSON object."""
    lines = islice(non_blank_lines(text), SNIFF_LINES)
    first = next(lines, None)
    if first is None:
        return False
    if first.lstrip().startswith("{") and is_json_object(first):
        return True
    # A .jsonl whose first line is broken is still JSON Lines: read it and report that line.
    return path.suffix.lower() in EXTENSIONS and any(is_json_object(line) for line in lines)


def read(path: Path, text: str, crawled_at: datetime) -> ReadResult:
    """Every good line as one page; every bad one as a ``file:line: reason`` problem."""
    result = ReadResult()
    # split("\n"), not splitlines(): U+2028 and friends may sit inside a JSON string.
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            fields = parse_object(line)
            story = story_from(fields)
            location = optional_string(fields, "url").strip() or f"{path}:{lineno}"
        except BadLine as bad:
            result.problems.append(f"{path}:{lineno}: {bad}")
            continue
        result.pages.append(
            Page(path=str(path), location=location, crawled_at=crawled_at, article=story)
        )
    return result


def non_blank_lines(text: str) -> Iterator[str]:
    return (line for line in text.split("\n") if line.strip())


def is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def parse_object(line: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as err:
        raise BadLine(f"not JSON: {err.msg} at column {err.colno}") from None
    except RecursionError:
        # json raises this, not a JSONDecodeError, for a line of thousands of nested brackets.
        raise BadLine("not JSON: nested too deeply") from None
    if not isinstance(value, dict):
        raise BadLine(f"not a JSON object but {json_type(value)}")
    return value


def story_from(fields: dict[str, Any]) -> RawStory:
    """The story one JSON object describes; unknown fields are ignored."""
    title = " ".join(optional_string(fields, "title").split())
    body = paragraphs(optional_string(fields, "body") or optional_string(fields, "text"))
    if not title and not body:
        raise BadLine("no text: a story needs a 'title' or a 'body'")
    published, precision = published_from(fields)
    return RawStory(
        kind=kind_from(fields),
        title=title,
        source=optional_string(fields, "source").strip(),
        published=published,
        precision=precision,
        body=body,
        captions=captions_from(fields),
        topics=strings_from(fields, "topics"),
        id=id_from(fields),
        url=optional_string(fields, "url").strip() or None,
    )


def optional_string(fields: dict[str, Any], name: str) -> str:
    """The field's text; ``""`` when it is absent or null."""
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadLine(f"'{name}' must be a string, not {json_type(value)}")
    return value


def id_from(fields: dict[str, Any]) -> str | None:
    """The user's own id, as given; a whole number becomes its decimal string."""
    value = fields.get("id")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadLine(f"'id' must be a string or a whole number, not {json_type(value)}")
    text = str(value)
    # An empty id would make unrelated stories one; without an id the splitter makes one.
    return text if text.strip() else None


def kind_from(fields: dict[str, Any]) -> Kind:
    value = optional_string(fields, "kind") or "article"
    for kind in KINDS:
        if value == kind:
            return kind
    raise BadLine(f"'kind' must be 'article' or 'teaser', not {value!r}")


def published_from(fields: dict[str, Any]) -> tuple[datetime | None, Precision | None]:
    """An ISO 8601 date (day precision) or datetime (time precision), as naive UTC."""
    value = optional_string(fields, "published").strip()
    if not value:
        return None, None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        pass
    else:
        return datetime(day.year, day.month, day.day), "day"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadLine(f"'published' is not an ISO 8601 date or datetime: {value!r}") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment, "time"


def captions_from(fields: dict[str, Any]) -> tuple[Caption, ...]:
    """Captions given as plain strings or as ``{"text", "credit"}`` objects; empty ones dropped."""
    items = fields.get("captions")
    if items is None:
        return ()
    if not isinstance(items, list):
        raise BadLine(f"'captions' must be a list, not {json_type(items)}")
    captions = []
    for position, item in enumerate(items, start=1):
        if isinstance(item, str):
            caption = Caption(text=item.strip())
        elif isinstance(item, dict):
            caption = Caption(
                text=caption_part(item, "text", position),
                credit=caption_part(item, "credit", position),
            )
        else:
            raise BadLine(
                f"caption {position} must be a string or an object, not {json_type(item)}"
            )
        if caption.text:
            captions.append(caption)
    return tuple(captions)


def caption_part(item: dict[str, Any], name: str, position: int) -> str:
    value = item.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadLine(f"caption {position}: '{name}' must be a string, not {json_type(value)}")
    return value.strip()


def strings_from(fields: dict[str, Any], name: str) -> tuple[str, ...]:
    """A list of strings, stripped, empties and repeats dropped, order kept."""
    items = fields.get(name)
    if items is None:
        return ()
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise BadLine(f"'{name}' must be a list of strings")
    return tuple(dict.fromkeys(item.strip() for item in items if item.strip()))


def paragraphs(text: str) -> str:
    """One paragraph a non-blank line, paragraphs separated by blank lines (``RawStory.body``)."""
    lines = (line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n\n".join(line for line in lines if line)


def json_type(value: object) -> str:
    """The JSON name of a value's type, as a person reading the problem would say it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"
