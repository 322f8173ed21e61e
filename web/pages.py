"""The HTML pages: blueprint ``pages`` with ``/``, ``/search``, ``/story/<id>``,
``/cluster/<id>`` and ``/healthz``.

Each search view does three steps: ``params`` builds a ``SearchRequest``, the engine returns
``SearchResults``, and a template renders them, the whole page or, for htmx, only the
``#results`` region (``_results.html``), which the page includes so its markup exists once.
"""

from __future__ import annotations

from functools import partial

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
from werkzeug.datastructures import MultiDict

from search.errors import BadParameter
from search.interface.params import parse_search_args, url_for_request
from search.models import SearchRequest, SearchResults
from web import htmx
from web import results_view as view
from web.search_index import get_engine

bp = Blueprint("pages", __name__)
TYPING_HEADER = "X-Newsdex-Typing"
"""Sent by site.js with a search that typing started (not Enter): its URL replaces the
current history entry instead of adding one."""


@bp.after_request
def _vary(response: Response) -> Response:
    if request.endpoint == "pages.search":
        htmx.vary(response)
        response.vary.add(TYPING_HEADER)
    return response


@bp.get("/")
@bp.get("/search")
def search() -> Response:
    """The search page; an htmx request aimed at ``#results`` gets only that region.

    A bad parameter never costs the page: the search runs without it (400, with the message
    next to the field it came from and a link to the URL without it)."""
    try:
        search_request, error = parse_search_args(request.args), None
    except BadParameter as err:
        search_request, error = _without_bad(err), err
    fragment = htmx.wants_fragment("results")
    if not error and not fragment and any(not v for _, v in request.args.items(multi=True)):
        # A form submitted without JavaScript sends every field, the empty dates too:
        # answer with the URL that names the state (htmx gets it as HX-Push-Url instead).
        return redirect(url_for_request(url_for("pages.search"), search_request))
    results = get_engine().search(search_request)
    response = _render(results, search_request, error)
    # Which index answered: lets a client (bench/load_bench.py) see a new build arrive.
    response.headers["X-Newsdex-Generation"] = results.generation
    return response


@bp.get("/story/<path:story_id>")
def story(story_id: str) -> str | Response:
    """One story in full, with the words of ``q`` marked; the rest of the search it was
    found by rides along, for the way back and the links onward."""
    try:
        found_by = parse_search_args(request.args)
    except BadParameter:
        found_by = SearchRequest(q=request.args.get("q", "").strip())
    detail = get_engine().story(story_id, q=found_by.q)  # StoryNotFound: a 404 (web.errors)
    if detail.id != story_id:
        # a version folded into the story: send the reader to the story's own address
        # (302: a later build with other pages may fold it differently)
        return redirect(url_for_request(url_for("pages.story", story_id=detail.id), found_by))
    search_path = url_for("pages.search")
    return render_template(
        "story.html",
        story=detail,
        q=found_by.q,
        back=url_for_request(search_path, found_by),
        story_url=partial(view.story_url, found_by),
        topic_url=lambda topic: view.with_topic(search_path, found_by, topic),
    )


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
    results: SearchResults, search_request: SearchRequest, error: BadParameter | None
) -> Response:
    path = url_for("pages.search")
    labels = view.topic_labels(results)
    context = {
        "results": results,
        "req": search_request,
        "error": error,
        "path": path,
        "url": partial(url_for_request, path, search_request),
        "story_url": partial(view.story_url, search_request),
        "facets": view.facet_lists(path, results, search_request, labels),
        "bars": view.timeline(path, search_request, results.histogram),
        "chart": {"width": view.TIMELINE_WIDTH, "height": view.TIMELINE_HEIGHT},
        "chips": view.chips(path, search_request, labels)
        + view.query_chips(path, search_request, results, labels),
        "presets": view.date_presets(path, search_request, results.span),
        "zoom_out": view.zoom_out(path, search_request),
        "typed": {error.param: request.args.get(error.param, "")} if error else {},
        "retry": url_for_request(path, search_request) if error else None,
        **view.elsewhere(search_request),
    }
    status = 400 if error else 200
    if htmx.wants_fragment("results"):
        body = render_template("_results.html", fragment=True, **context)
        # htmx would push every form field (``from=&to=``); push the URL that names the state.
        # Typing replaces the history entry it started from; a committed action adds one.
        canonical = False if error else url_for_request(path, search_request)
        if request.headers.get(TYPING_HEADER) and canonical:
            return make_response(body, status, replace_url=canonical)
        return make_response(body, status, push_url=canonical)
    return flask_make_response(render_template("search.html", **context), status)


def _without_bad(error: BadParameter) -> SearchRequest:
    """The request without the parameters that are wrong (each found in turn)."""
    dropped = {error.param}
    for _ in range(len(request.args)):
        pairs = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k not in dropped])
        try:
            return parse_search_args(pairs)
        except BadParameter as err:
            dropped.add(err.param)
    return SearchRequest(q=request.args.get("q", "").strip())
