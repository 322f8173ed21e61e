"""Hands views the search engine over the live index; one engine per worker process.

The engine notices a new generation published by ``newsdex build`` on its next call and
switches to it, so workers never need a restart.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app

from search.searching.engine import Engine

_lock = threading.Lock()


def get_engine() -> Engine:
    """The engine for this app's index, opened on first use."""
    engine = current_app.extensions.get("newsdex_engine")
    if engine is None:
        with _lock:
            engine = current_app.extensions.get("newsdex_engine")
            if engine is None:
                engine = Engine(current_app.config["INDEX_DIR"])
                current_app.extensions["newsdex_engine"] = engine
    return engine


def init_app(app: Flask) -> None:
    app.extensions.pop("newsdex_engine", None)
