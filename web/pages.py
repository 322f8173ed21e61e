"""The HTML pages: blueprint ``pages`` with ``/``, ``/search``, ``/story/<id>``,
``/cluster/<id>`` and ``/healthz``.

Each search view does three steps: ``params`` builds a ``SearchRequest``, the engine returns
``SearchResults``, and a template renders them, the whole page or, for htmx, only the
``#results`` region (``_results.html``), which the page includes so its markup exists once.
"""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import make_response as flask_make_response
from htmx_flask import make_response

from search.errors import BadParameter
from search.interface.params import parse_search_args, url_for_request
from search.models import SearchRequest, SearchResults
from web import htmx
from web import results_view as view
from web.search_index import get_engine

bp = Blueprint("pages", __name__)


@bp.after_request
def _vary(response: Response) -> Response:
    if request.endpoint == "pages.search":
        htmx.vary(response)
    return response


@bp.get("/")
@bp.get("/search")
def search() -> Response:
    """The search page; an htmx request aimed at ``#results`` gets only that region."""
    try:
        search_request = parse_search_args(request.args)
    except BadParameter as err:
        typed = SearchRequest(q=request.args.get("q", ""))
        return _render(None, typed, err)
    fragment = htmx.wants_fragment("results")
    if not fragment and any(not value for _, value in request.args.items(multi=True)):
        # A form submitted without JavaScript sends every field, the empty dates too:
        # answer with the URL that names the state (htmx gets it as HX-Push-Url instead).
        return redirect(url_for_request(url_for("pages.search"), search_request))
    results = get_engine().search(search_request)
    response = _render(results, search_request, None)
    # Which index answered: lets a client (bench/load_bench.py) see a new build arrive.
    response.headers["X-Newsdex-Generation"] = results.generation
    return response


@bp.get("/story/<path:story_id>")
def story(story_id: str) -> str | Response:
    """One story in full, with the words of ``q`` marked."""
    q = request.args.get("q", "").strip()
    detail = get_engine().story(story_id, q=q)  # StoryNotFound: web.errors makes it a 404
    if detail.id != story_id:
        # a version folded into the story: send the reader to the story's own address
        # (302: a later build with other pages may fold it differently)
        return redirect(url_for("pages.story", story_id=detail.id, q=q or None))
    return render_template("story.html", story=detail, q=q)


@bp.get("/cluster/<cluster_id>")
def cluster(cluster_id: str) -> str:
    """One event's coverage by time: who ran it first, who carried the same wire copy."""
    detail = get_engine().cluster(cluster_id)  # ClusterNotFound: a 404
    return render_template("cluster.html", cluster=detail)


@bp.get("/healthz")
def healthz() -> Response:
    """``{"ok": true, "generation": ..., "stories": N}``; 503 JSON naming the fault when no
    index is built, the live one is damaged or needs a rebuild, or a search is stuck."""
    try:
        # Looks at the live generation first, so a worker switches to a new build here too.
        body = get_engine().health()
    except Exception as err:  # the health check must answer whatever is broken
        current_app.logger.exception("health check failed")
        body = {"ok": False, "error": f"the health check failed: {type(err).__name__}"}
    if not body["ok"]:
        body["status"] = 503
    response = jsonify(body)
    response.status_code = 200 if body["ok"] else 503
    response.cache_control.no_store = True
    return response


def _render(
    results: SearchResults | None, search_request: SearchRequest, error: BadParameter | None
) -> Response:
    path = url_for("pages.search")
    labels = view.topic_labels(results)
    context = {
        "results": results,
        "req": search_request,
        "error": error,
        "path": path,
        "url": partial(url_for_request, path, search_request),
        "facets": view.facet_lists(results, search_request, labels) if results else {},
        "bars": view.timeline(path, search_request, results.histogram) if results else [],
        "chart": {"width": view.TIMELINE_WIDTH, "height": view.TIMELINE_HEIGHT},
        "chips": view.chips(path, search_request, labels),
        "retry": _without(path, error.param) if error else None,
    }
    status = 400 if error else 200
    if htmx.wants_fragment("results"):
        body = render_template("_results.html", fragment=True, **context)
        # htmx would push every form field (``from=&to=``); push the URL that names the state.
        canonical = False if error else url_for_request(path, search_request)
        return make_response(body, status, push_url=canonical)
    return flask_make_response(render_template("search.html", **context), status)


def _without(path: str, param: str) -> str:
    """This request's URL without one (bad) parameter, nor empty ones."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != param and v]
    return f"{path}?{urlencode(pairs)}" if pairs else path
