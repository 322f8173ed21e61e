"""web/htmx.py: which requests get the ``#results`` fragment, and ``Vary`` on every answer."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from flask import template_rendered

from web import htmx

HX = {"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": "http://localhost/search"}


@contextmanager
def rendered(app):
    """The names of the templates rendered inside the block (Flask's ``template_rendered``)."""
    names: list[str] = []

    def record(sender, template, context, **extra) -> None:
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


@pytest.fixture(scope="module")
def client(samples_app):
    return samples_app.test_client()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, False),
        ({"HX-Request": "true"}, False),  # no target: not aimed at #results
        ({"HX-Request": "true", "HX-Target": "results"}, True),
        ({"HX-Request": "false", "HX-Target": "results"}, False),
        ({"HX-Request": "true", "HX-Target": "story"}, False),
        ({"HX-Request": "true", "HX-Target": "results", "HX-Boosted": "true"}, False),
        (
            {"HX-Request": "true", "HX-Target": "results", "HX-History-Restore-Request": "true"},
            False,
        ),
        ({"HX-History-Restore-Request": "true"}, False),
    ],
)
def test_wants_fragment(samples_app, headers, expected) -> None:
    with samples_app.test_request_context("/search?q=x", headers=headers):
        assert htmx.wants_fragment("results") is expected


def test_htmx_request_gets_the_results_partial(samples_app, client) -> None:
    with rendered(samples_app) as names:
        response = client.get("/search?q=election", headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert names[0] == "_results.html", names
    assert "search.html" not in names and "base.html" not in names
    assert "<html" not in body and "<body" not in body
    assert "HX-Request" in response.vary
    # a <title> at the root, which htmx moves into the document
    assert body.lstrip().startswith("<title>election — newsdex</title>")


def test_fragment_pushes_the_canonical_url(client) -> None:
    """htmx would push ``?q=x&from=&to=`` (every form field); the server names the state."""
    response = client.get("/search?q=election&from=&to=&sort=relevance&page=2", headers=HX)
    assert response.headers["HX-Push-Url"] == "/search?q=election&page=2"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HX-Request": "true"},
        {**HX, "HX-History-Restore-Request": "true"},
        {"HX-History-Restore-Request": "true"},  # htmx with historyRestoreAsHxRequest off
        {**HX, "HX-Boosted": "true"},
    ],
    ids=["plain", "htmx-other-target", "history-restore", "history-restore-no-hx", "boosted"],
)
def test_other_requests_get_the_full_page(samples_app, client, headers) -> None:
    with rendered(samples_app) as names:
        response = client.get("/search?q=election", headers=headers)
    assert response.status_code == 200
    assert names[0] == "search.html", names
    assert response.get_data(as_text=True).lstrip().lower().startswith("<!doctype html>")
    assert "HX-Request" in response.vary
    assert "HX-Push-Url" not in response.headers


@pytest.mark.parametrize("url", ["/", "/search", "/search?q=ferry&sort=newest"])
def test_vary_on_every_response_of_the_search_urls(client, url) -> None:
    for headers in ({}, HX):
        response = client.get(url, headers=headers)
        assert "HX-Request" in response.vary, (url, headers)


def test_vary_on_a_bad_parameter_answer_too(client) -> None:
    for headers in ({}, HX):
        response = client.get("/search?q=x&page=0", headers=headers)
        assert response.status_code == 400
        assert "HX-Request" in response.vary


def test_bad_parameter_fragment_is_swappable_and_pushes_nothing(client) -> None:
    """htmx is configured to swap 400s (``responseHandling``) so the message shows in place."""
    response = client.get("/search?q=x&from=2025-13-45", headers=HX)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert "is not a date" in body
    assert response.headers["HX-Push-Url"] == "false"


def test_story_page_is_never_a_fragment(samples_app, client) -> None:
    story_id = _first_story_id(client)
    with rendered(samples_app) as names:
        response = client.get(f"/story/{story_id}", headers=HX)
    assert names[0] == "story.html"
    assert "<html" in response.get_data(as_text=True)


def test_htmx_config_is_a_meta_tag_without_inline_script(client) -> None:
    import json

    from bs4 import BeautifulSoup

    soup = BeautifulSoup(client.get("/search").get_data(as_text=True), "html.parser")
    config = json.loads(soup.select_one('meta[name="htmx-config"]')["content"])
    assert config["includeIndicatorStyles"] is False  # its inline <style> breaks the CSP
    assert config["allowEval"] is False
    assert config["historyRestoreAsHxRequest"] is False
    assert any(rule["code"] == "400" and rule["swap"] for rule in config["responseHandling"])
    scripts = soup.select("script")
    assert scripts and all(s.get("src", "").startswith("/static/") for s in scripts)
    assert all(not s.string for s in scripts)
    assert any("htmx-2." in s["src"] for s in scripts)


def _first_story_id(client) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(client.get("/search?q=election").get_data(as_text=True), "html.parser")
    href = soup.select_one(".hit-title a")["href"]
    return href.split("/story/", 1)[1].split("?", 1)[0]
