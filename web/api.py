"""The JSON API, blueprint ``api`` under ``/api``: the same records the pages show, as JSON.

Each view does what the pages do: ``search.interface.params`` builds a ``SearchRequest``, the
engine answers, ``search.interface.serialize`` shapes the answer. Errors are raised and left to
``web.errors``, which answers them in one JSON shape. ``/api/openapi.json`` describes all of it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, jsonify, request

from search.interface import serialize
from search.interface.params import parse_search_args
from web import openapi
from web.search_index import get_engine

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.after_request
def _options(response: Response) -> Response:
    """An ``OPTIONS`` request (Flask answers it itself, with an empty HTML page) gets
    ``204 No Content`` and the ``Allow`` header: what a client asking needs, and no HTML."""
    if request.method == "OPTIONS":
        response.status_code = 204
        response.set_data(b"")
        response.mimetype = "application/json"
    return response


@bp.get("/search")
def search() -> Response:
    """Hits, facets, histogram and pager links for the query string's search."""
    search_request = parse_search_args(request.args)
    results = get_engine().search(search_request)
    return jsonify(serialize.search_json(results, serialize.SEARCH_PATH))


@bp.get("/stories/<path:story_id>")
def story(story_id: str) -> Response:
    """One story in full; ``q`` marks its terms in ``title_html`` and ``body_html``."""
    q = request.args.get("q", "").strip()
    return jsonify(serialize.story_json(get_engine().story(story_id, q=q), q))


@bp.get("/clusters/<cluster_id>")
def cluster(cluster_id: str) -> Response:
    """One event and all its coverage: the stories of its cluster, by time."""
    return jsonify(serialize.cluster_json(get_engine().cluster(cluster_id)))


@bp.get("/stats")
def stats() -> Response:
    """What the live index holds: ``newsdex stats --json`` without the server's folders
    (the folders built from and the topics file are named by their last part)."""
    stats = get_engine().stats()
    built = stats.get("built") or {}
    if built.get("paths"):
        built["paths"] = [Path(p).name for p in built["paths"]]
    if built.get("taxonomy"):
        built["taxonomy"] = Path(built["taxonomy"]).name
    return jsonify(stats)


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi.document())
