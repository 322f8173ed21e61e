"""Security headers on every response the app sends, pages, fragments, API and errors alike.

The policy allows only the site's own scripts and styles: no inline ``<script>``, no
``style=`` attributes. htmx takes its settings from ``<meta name="htmx-config">`` (with its
inline indicator styles and ``eval`` turned off) and the timeline is drawn with SVG attributes
and classes, so nothing needs an exception.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Search words live in the URL; keep them from other sites.
    "Referrer-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
