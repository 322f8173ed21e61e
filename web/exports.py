"""Every match of a search as a file, and the newest as a feed: blueprint ``exports``.

``/search.csv`` and ``/search.jsonl`` (also under ``/api``) stream every match of the search
in the query string, in its order, one line a story (``search.interface.export``): memory
stays flat whatever the total, which is sent ahead as ``X-Total-Count``. ``/search.atom``
is the newest ``FEED_SIZE`` matches as an Atom 1.0 feed (``web.atom``): subscribing to it
is the alert for a search.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, request, url_for

from search.interface import export
from search.interface.params import parse_search_args, url_for_request
from search.models import SearchRequest
from search.searching.engine import Engine
from web import atom
from web.search_index import get_engine

bp = Blueprint("exports", __name__)

FEED_SIZE = 50
"""How many of the newest matches a feed holds."""


@bp.get("/search.csv", defaults={"format": "csv"})
@bp.get("/search.jsonl", defaults={"format": "jsonl"})
@bp.get("/api/search.csv", defaults={"format": "csv"}, endpoint="api_export_csv")
@bp.get("/api/search.jsonl", defaults={"format": "jsonl"}, endpoint="api_export_jsonl")
def export_matches(format: str) -> Response:
    """Every match, streamed: CSV with a header line, or JSON Lines."""
    search_request = parse_search_args(request.args)
    stream = _export(get_engine(), search_request, format)
    # The search runs now, before the response starts: a missing index or a damaged one is
    # still an error response, not a cut-off file.
    found = next(stream)
    response = Response(_rest(stream), mimetype=export.FORMATS[format].split(";")[0])
    response.headers["X-Total-Count"] = str(found.total)
    name = _slug(search_request.q) or "all"
    response.headers["Content-Disposition"] = f'attachment; filename="newsdex-{name}.{format}"'
    return response


@bp.get("/search.atom")
def feed() -> Response:
    """The newest matches of the search as an Atom feed."""
    search_request = parse_search_args(request.args)
    newest = replace(search_request, sort="newest", page=1, per_page=FEED_SIZE)
    results = get_engine().search(newest, facets=False)
    canonical = replace(search_request, sort="relevance", page=1, per_page=10)
    body = atom.feed(
        results,
        feed_id=url_for_request(url_for("exports.feed", _external=True), canonical),
        self_url=url_for_request(url_for("exports.feed", _external=True), canonical),
        page_url=url_for_request(url_for("pages.search", _external=True), canonical),
        story_url=lambda story_id: url_for(
            "pages.story", story_id=story_id, q=search_request.q or None, _external=True
        ),
    )
    return Response(body, mimetype="application/atom+xml")


def _export(engine: Engine, search_request: SearchRequest, format: str) -> Iterator[Any]:
    """First the ``Export`` (the total), then its lines; the engine is held until the last."""
    with engine.export(search_request) as found:
        yield found
        yield from export.lines(format, found.hits)


def _rest(stream: Iterator[Any]) -> Iterator[str]:
    """The rest of ``stream``, closed (letting go of the engine) when the response is, even
    when the client goes away before the end."""
    try:
        yield from stream
    finally:
        stream.close()  # type: ignore[attr-defined]


def _slug(text: str) -> str:
    """A file-name-safe form of the query: ASCII letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")
