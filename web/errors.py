"""Errors at the edge of the app: library errors and HTTP errors become responses.

Under ``/api/`` every error is JSON of one shape, ``{"ok": false, "status": N, "error": "...",
"param": "..."}`` (``param`` only for a bad parameter), and never a stack trace. Elsewhere the
HTML side renders ``errors/<status>.html`` (or ``errors/error.html``) when it has one, else a
short plain page.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from jinja2 import TemplateNotFound
from markupsafe import escape
from werkzeug.exceptions import HTTPException, RequestURITooLarge

from search.errors import (
    BadParameter,
    ClusterNotFound,
    IndexCorrupt,
    IndexFormatError,
    IndexMissing,
    NewsdexError,
    StoryNotFound,
)

API_PREFIX = "/api"
INDEX_MISSING = "no search index has been built yet: build one with `newsdex build PATH...`"


MAX_URL_BYTES = 128 * 1024
"""Longer request URLs get a 414 from the app (gunicorn's own limit is off)."""


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on the app (a blueprint never sees 404s or 405s of unknown URLs)."""
    app.before_request(_refuse_long_urls)
    app.register_error_handler(BadParameter, _bad_parameter)
    app.register_error_handler(StoryNotFound, _story_not_found)
    app.register_error_handler(ClusterNotFound, _story_not_found)
    app.register_error_handler(IndexMissing, _index_missing)
    app.register_error_handler(IndexCorrupt, _index_corrupt)
    app.register_error_handler(IndexFormatError, _index_format)
    app.register_error_handler(NewsdexError, _newsdex_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _refuse_long_urls() -> None:
    if len(request.query_string) + len(request.path) > MAX_URL_BYTES:
        raise RequestURITooLarge(f"the address is longer than {MAX_URL_BYTES // 1024} KiB")


def wants_json() -> bool:
    """True for a request to the JSON API."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def error_response(
    status: int, message: str, param: str | None = None, headers: Any = None
) -> Response | tuple[str, int, Any]:
    """The error as JSON under ``/api/``, else as the HTML side's error page."""
    if wants_json():
        body: dict[str, Any] = {"ok": False, "status": status, "error": message}
        if param is not None:
            body["param"] = param
        response = jsonify(body)
        response.status_code = status
        if headers:
            response.headers.extend(headers)
        return response
    return _html_page(status, message, param), status, headers or {}


def _bad_parameter(err: BadParameter) -> Any:
    return error_response(400, str(err), param=err.param)


def _story_not_found(err: StoryNotFound | ClusterNotFound) -> Any:
    return error_response(404, str(err))


def _index_missing(err: IndexMissing) -> Any:
    # The index's path stays in the log: it is the server's business, not the client's.
    current_app.logger.error("index missing: %s", err)
    return error_response(503, INDEX_MISSING)


def _index_corrupt(err: IndexCorrupt) -> Any:
    current_app.logger.error("%s", err)
    return error_response(
        503, f"the search index is damaged and must be rebuilt ({err.generation}: {err.fault})"
    )


def _index_format(err: IndexFormatError) -> Any:
    current_app.logger.error("%s", err)
    return error_response(
        503,
        f"the search index was written by another version of newsdex (format {err.found}, "
        f"this one reads {err.expected}): rebuild needed",
    )


def _newsdex_error(err: NewsdexError) -> Any:
    # e.g. IndexBusy: nothing the client sent was wrong, and it may work in a moment.
    current_app.logger.error("%s: %s", type(err).__name__, err)
    return error_response(503, "the search index is not available right now; try again")


def _http_error(err: HTTPException) -> Any:
    if err.code is None or err.code < 400:
        return err  # redirects (a missing trailing slash) are not errors
    # Keep headers such as 405's ``Allow``; the body is ours.
    headers = [(k, v) for k, v in err.get_headers() if k.lower() != "content-type"]
    return error_response(err.code, err.description or err.name, headers=headers)


def _unexpected(err: Exception) -> Any:
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "internal error: the server could not answer this request")


def _html_page(status: int, message: str, param: str | None) -> str:
    names = [f"errors/{status}.html", "errors/error.html"]
    try:
        return render_template(names, status=status, error=message, param=param)
    except TemplateNotFound:
        pass
    except Exception:  # an error page that fails must not hide the error it reports
        current_app.logger.exception("error template for %s failed", status)
    return (
        f"<!doctype html>\n<title>{status} – newsdex</title>\n"
        f"<h1>{status}</h1>\n<p>{escape(message)}</p>\n"
    )
