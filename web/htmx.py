"""htmx on the server: the only module that reads ``HX-*`` headers.

A view that can answer with a fragment asks ``wants_fragment("results")``; everything else
gets the full page. ``request.htmx`` comes from htmx-flask, which does not add ``Vary``, so
:func:`vary` does it for every response of a URL that can answer either way.
"""

from __future__ import annotations

from flask import Flask, Response
from htmx_flask import Htmx, request


def init_app(app: Flask) -> None:
    """Give ``request`` its ``.htmx`` attribute (htmx-flask swaps the request class)."""
    if "htmx" not in app.extensions:
        Htmx(app)


def wants_fragment(target: str) -> bool:
    """True for an htmx request aimed at the element ``#target``.

    Boosted requests and history restores (after a miss in htmx's history cache the whole
    ``<body>`` is swapped) get the full page.
    """
    htmx = request.htmx
    return (
        bool(htmx)
        and htmx.target == target
        and not htmx.boosted
        and not htmx.history_restore_request
    )


def vary(response: Response) -> Response:
    """Mark a response whose body depends on ``HX-Request`` so caches keep both apart."""
    response.vary.add("HX-Request")
    return response
