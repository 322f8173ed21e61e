"""Coverage over time: blueprint ``coverage`` with the page ``/coverage``, its data as
``/coverage.csv``, and ``/api/coverage`` (JSON) and ``/api/coverage.csv`` for scripts.

Each view does what the search views do: ``search.interface.coverage`` builds a
``CoverageRequest`` (the search's parameters plus ``q2``, ``q3``, ``interval``, ``by`` and
``measure``), the engine counts, and a template (``coverage.html``, its chart laid out by
``web.coverage_view``) or ``coverage_json`` / ``csv_lines`` renders the answer.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from search.coverage_models import BREAKDOWNS, INTERVALS, CoverageRequest
from search.errors import BadParameter
from search.interface import coverage as shape
from search.interface.params import url_for_request
from search.models import SearchRequest
from web import coverage_view
from web.search_index import get_engine

bp = Blueprint("coverage", __name__)


@bp.get("/coverage")
def page() -> tuple[str, int]:
    """The chart, its form and its legend; a bad parameter shows the form with the error."""
    try:
        cov_request = shape.parse_coverage_args(request.args)
    except BadParameter as err:
        typed = CoverageRequest(SearchRequest(q=request.args.get("q", "")))
        return _render(typed, None, err), 400
    return _render(cov_request, get_engine().coverage(cov_request), None), 200


@bp.get("/coverage.csv")
@bp.get("/api/coverage.csv", endpoint="api_csv")
def csv() -> Response:
    """The chart's data: one line per series and interval."""
    cov = get_engine().coverage(shape.parse_coverage_args(request.args))
    response = Response(shape.csv_lines(cov), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="newsdex-coverage.csv"'
    return response


@bp.get("/api/coverage")
def api() -> Response:
    """The chart's data as JSON, with the API search narrowed to each point."""
    cov = get_engine().coverage(shape.parse_coverage_args(request.args))
    return jsonify(shape.coverage_json(cov, "/api/search", url_for("coverage.api_csv")))


def _render(cov_request, cov, error: BadParameter | None) -> str:
    search_path = url_for("pages.search")
    here = url_for("coverage.page")
    return render_template(
        "coverage.html",
        req=cov_request,
        q=cov_request.search.q,
        coverage=cov,
        error=error,
        panels=coverage_view.panels(cov, search_path) if cov else [],
        chart={
            "width": coverage_view.WIDTH,
            "height": coverage_view.HEIGHT,
            "left": coverage_view.LEFT,
            "top": coverage_view.TOP,
            "bottom": coverage_view.HEIGHT - coverage_view.BOTTOM,
            "right": coverage_view.WIDTH - coverage_view.RIGHT,
        },
        query_title=lambda n: coverage_view.query_title(cov, n),
        intervals=INTERVALS,
        breakdowns=BREAKDOWNS,
        csv_url=shape.coverage_url(url_for("coverage.csv"), cov_request),
        switch=lambda **changes: shape.coverage_url(here, cov_request, **changes),
        search_url=url_for_request(search_path, replace(cov_request.search, page=1)),
    )
