"""Errors under ``/api/``: one JSON shape, the right status, the parameter named, no traceback."""

from __future__ import annotations

import logging

import pytest

from search.searching.engine import Engine

SHAPE = {"ok", "status", "error"}


def assert_error(response, status: int, param: str | None = None) -> dict:
    """The one error shape: ``{"ok": false, "status": N, "error": "...", "param": "..."}``."""
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert response.mimetype == "application/json", body
    data = response.get_json()
    assert data.keys() == (SHAPE | {"param"} if param else SHAPE), data
    assert data["ok"] is False
    assert data["status"] == status
    assert isinstance(data["error"], str) and data["error"]
    if param:
        assert data["param"] == param
    assert "Traceback" not in body and 'File "' not in body
    return data


@pytest.mark.parametrize(
    ("query", "param", "reason"),
    [
        ("page=-1", "page", "outside"),
        ("page=abc", "page", "not a whole number"),
        ("page=0", "page", "outside"),
        ("page=99999999999999999999999", "page", "outside"),
        ("from=2025-13-45", "from", "not a date"),
        ("to=yesterday", "to", "not a date"),
        ("from=2025-06-01&to=2025-05-01", "to", "before"),
        ("to=0999-12-31", "to", "outside"),
        ("per_page=10000", "per_page", "outside"),
        ("sort=popular", "sort", "not one of"),
        ("match=most", "match", "not one of"),
        ("kind=video", "kind", "not one of"),
        ("&".join(f"source=s{i}" for i in range(51)), "source", "more than"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, query, param, reason):
    data = assert_error(client.get(f"/api/search?{query}"), 400, param)
    assert data["error"].startswith(f"{param}: ") and reason in data["error"]


def test_an_unknown_story_is_a_404(client):
    data = assert_error(client.get("/api/stories/no-such-story"), 404)
    assert "no-such-story" in data["error"]


def test_unknown_api_paths_and_methods(client):
    assert_error(client.get("/api/nothing-here"), 404)
    assert_error(client.get("/api"), 404)
    assert_error(client.get("/api/stories/"), 404)
    response = client.post("/api/search")
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_a_missing_index_is_a_503_saying_to_build_it(tmp_path):
    from tests.conftest import make_app

    client = make_app(tmp_path / "never-built").test_client()
    for url in ["/api/search?q=x", "/api/stories/abc", "/api/stats"]:
        data = assert_error(client.get(url), 503)
        assert "newsdex build" in data["error"]
        assert str(tmp_path) not in data["error"]  # the server's paths stay in its log


def test_an_unexpected_error_is_a_500_without_details(client, monkeypatch, caplog):
    def explode(self, *args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(Engine, "search", explode)
    with caplog.at_level(logging.ERROR):
        data = assert_error(client.get("/api/search?q=x"), 500)
    assert "secret" not in data["error"]
    assert "secret internals" in caplog.text  # logged, with its traceback, for the operator


def test_every_failing_endpoint_answers_in_one_shape(client, tmp_path):
    """STYLE.md: one test checks the error shape on every failing endpoint."""
    from tests.conftest import make_app

    failing = [
        ("GET", "/api/search?page=abc", 400, "page"),
        ("GET", "/api/stories/nope", 404, None),
        ("GET", "/api/no/such/path", 404, None),
        ("POST", "/api/search", 405, None),
        ("DELETE", "/api/stories/nope", 405, None),
        ("PUT", "/api/stats", 405, None),
        ("POST", "/api/openapi.json", 405, None),
    ]
    for method, url, status, param in failing:
        assert_error(client.open(url, method=method), status, param)
    missing = make_app(tmp_path / "none").test_client()
    for url in ["/api/search", "/api/stories/x", "/api/stats"]:
        assert_error(missing.get(url), 503)


def test_pages_outside_the_api_get_no_json_errors(client):
    response = client.get("/no-such-page/<script>")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<script>" not in response.get_data(as_text=True)
