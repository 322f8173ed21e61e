"""The Flask app: ``create_app()`` builds it; importing ``web`` does nothing else.

Production: ``gunicorn -c gunicorn.conf.py 'web:create_app()'``; development: ``newsdex serve``.
It owns HTTP and HTML: the pages (``pages``, ``templates/``), the coverage page and its data
(``coverage_pages``), exports and feeds (``exports``, ``atom``), the JSON API (``api``,
``openapi``), htmx (``htmx``), error responses (``errors``) and the engine each worker holds
(``search_index``). It parses requests and shapes JSON with ``search.interface``, shared with
the CLI.

May import: ``search`` (the records, ``search.interface`` and the engine), Flask, Jinja,
htmx-flask; the library never imports ``web``.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The newsdex site: HTML pages and the JSON API over the index in ``INDEX_DIR``.

    Settings come from defaults, then ``NEWSDEX_*`` environment variables
    (``NEWSDEX_INDEX_DIR``), then ``test_config``.
    """
    app = Flask(__name__)
    # A story id may hold slashes ("/story/<path:id>"); merging them would redirect an id
    # like "/etc/passwd" elsewhere instead of answering that no such story exists.
    app.url_map.merge_slashes = False
    app.config.from_mapping(INDEX_DIR=os.path.join(os.getcwd(), "index"))
    app.config.from_prefixed_env("NEWSDEX")
    if test_config:
        app.config.update(test_config)

    from web import (
        api,
        coverage_pages,
        errors,
        exports,
        htmx,
        pages,
        search_index,
        security,
        templating,
    )

    # App-wide, for every response (pages, fragments, the API and errors alike): the engine
    # over INDEX_DIR, ``request.htmx``, the security headers, the Jinja filters, and the
    # error handlers (a blueprint never sees the 404s and 405s of unknown URLs).
    search_index.init_app(app)
    htmx.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.register_error_handlers(app)

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(coverage_pages.bp)
    return app
