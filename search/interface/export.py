"""Every match of a search as CSV or JSON Lines rows, one story at a time: the shape of
``/search.csv``, ``/search.jsonl`` (and the same under ``/api``) and ``newsdex search --all``.

``Export.hits`` --row--> one line of text per story; nothing is gathered, so a caller that
writes each line as it comes (a streamed response, stdout) keeps memory flat.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from search.models import StoryHit

COLUMNS = (
    "id",
    "title",
    "source",
    "published",
    "date_precision",
    "kind",
    "topics",
    "url",
    "pages",
    "cluster",
    "snippet",
)
"""The fields of every row, in order (the CSV's header)."""
LIST_SEPARATOR = "; "
"""Joins ``topics`` and ``pages`` in a CSV cell (JSON Lines keeps them as lists)."""
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
"""Export format -> the media type it is served as."""


def record(hit: StoryHit) -> dict[str, Any]:
    """One story as an export row: ``url`` is the story's address on the web as the input
    gave it (None when unknown), ``snippet`` the best matching passage as plain text, and
    ``cluster`` the id of the event the story is part of (None when no other source ran it)."""
    snippet = " ".join(hit.snippets[0].text.split()) if hit.snippets else ""
    return {
        "id": hit.id,
        "title": hit.title,
        "source": hit.source,
        "published": hit.published.isoformat() if hit.published else None,
        "date_precision": hit.precision,
        "kind": hit.kind,
        "topics": list(hit.topics),
        "url": hit.link,
        "pages": list(hit.pages),
        "cluster": hit.cluster,
        "snippet": snippet,
    }


def csv_lines(hits: Iterable[StoryHit]) -> Iterator[str]:
    """The header, then one CSV line per story (RFC 4180: quoted as needed, CRLF endings)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield line(COLUMNS)
    for hit in hits:
        row = record(hit)
        for name in ("topics", "pages"):
            row[name] = LIST_SEPARATOR.join(row[name])
        yield line("" if row[name] is None else row[name] for name in COLUMNS)


def jsonl_lines(hits: Iterable[StoryHit]) -> Iterator[str]:
    """One JSON object per line and story, with the fields of ``COLUMNS``."""
    for hit in hits:
        yield json.dumps(record(hit), ensure_ascii=False) + "\n"


def lines(format: str, hits: Iterable[StoryHit]) -> Iterator[str]:
    """``csv_lines`` or ``jsonl_lines`` by ``format`` (a key of ``FORMATS``)."""
    return csv_lines(hits) if format == "csv" else jsonl_lines(hits)
