"""The coverage page, the download control and the feed link in a real browser (Playwright,
Debian's chromium, gunicorn over ``samples/``), with JavaScript and without it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.test_browser import CHROMIUM, pytestmark  # noqa: F401  (the marks of browser tests)

if CHROMIUM.exists():
    from playwright.sync_api import expect

    from tests.test_browser import (  # noqa: F401  (fixtures)
        Watched,
        browser,
        gunicorn_scratch,
        js,
        mark_window,
        nojs,
        params,
        server,
        total,
        wait_for_param,
    )
    from tests.test_browser import test_axe_finds_no_serious_violations as axe_check


def bar_count(link) -> int:
    return int(re.search(r": (\d+) stor", link.locator("title").text_content())[1])


@pytest.mark.parametrize("mode", ["js", "nojs"])
def test_the_coverage_page_draws_its_chart(mode: str, request) -> None:
    page = request.getfixturevalue(mode).page
    page.goto("/coverage?q=harbour")
    chart = page.locator("svg.coverage-chart")
    expect(chart).to_be_visible()
    bars = chart.locator("a.cov-link")
    assert bars.count() >= 3
    assert sum(bar_count(bars.nth(i)) for i in range(bars.count())) == 10
    expect(chart.locator("text.axis-title").first).to_contain_text("month")
    assert chart.locator("text.tick-x").count() >= 2
    # the form: a second query and a breakdown, submitted as a plain GET
    page.locator("#cov-q2").fill("storm")
    page.locator("#cov-by").select_option("source")
    page.locator("button:text('Draw')").click()
    page.wait_for_url(re.compile(r"/coverage\?.*q2=storm.*by=source"))
    expect(page.locator("figure.coverage-panel")).to_have_count(2)
    expect(page.locator(".coverage-totals li")).to_have_count(2)
    expect(
        page.locator("figure.coverage-panel").first.locator(".coverage-legend li").first
    ).to_be_visible()


@pytest.mark.parametrize("mode", ["js", "nojs"])
def test_clicking_a_bar_narrows_the_search(mode: str, request) -> None:
    page = request.getfixturevalue(mode).page
    page.goto("/coverage?q=harbour&by=source")
    panel = page.locator("figure.coverage-panel").first
    point = panel.locator("g.cov-s0 a.cov-link").first
    wanted = bar_count(point)
    source = panel.locator(".coverage-legend li").first.locator(".legend-label").inner_text()
    point.click()
    page.wait_for_url(re.compile(r"/search\?.*from=.*to="))
    state = params(page)
    assert state["q"] == ["harbour"] and state["source"] == [source]
    assert total(page) == wanted
    for stamp in page.locator(".hit time").evaluate_all("ts => ts.map(t => t.dateTime)"):
        assert state["from"][0] <= stamp[:10] <= state["to"][0]


def test_the_search_page_leads_to_its_coverage(js) -> None:
    page = js.page
    page.goto("/search?q=harbour&source=Harbour+Herald")
    page.locator(".timeline a.coverage-link").click()
    page.wait_for_url(re.compile(r"/coverage\?"))
    assert params(page) == {"q": ["harbour"], "source": ["Harbour Herald"]}
    expect(page.locator(".coverage-totals li")).to_contain_text("5 stories")


def test_the_download_control_downloads_the_current_search(js) -> None:
    page = js.page
    page.goto("/")
    mark_window(page)
    page.locator("#q").fill("harbour")
    page.locator("#q").press("Enter")
    wait_for_param(page, "q", ["harbour"])
    page.locator('.facet-source input[value="Harbour Herald"]').check()
    wait_for_param(page, "source", ["Harbour Herald"])
    expect(page.locator("#summary")).to_contain_text("5 stories")
    with page.expect_download() as info:
        page.locator("a.download-csv").click()
    download = info.value
    assert download.suggested_filename == "newsdex-harbour.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == total(page) == 5
    assert {r["source"] for r in rows} == {"Harbour Herald"}
    links = page.locator(".hit-title a").evaluate_all("as => as.map(a => a.pathname)")
    assert [f"/story/{r['id']}" for r in rows][: len(links)] == links


def test_the_page_advertises_the_feed_of_the_search(js) -> None:
    page = js.page
    page.goto("/search?q=harbour")
    href = page.locator('link[rel="alternate"][type="application/atom+xml"]').get_attribute("href")
    assert urlsplit(href).path == "/search.atom"
    assert parse_qs(urlsplit(href).query) == {"q": ["harbour"]}
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"].startswith("application/atom+xml")


@pytest.mark.parametrize(
    "url", ["/coverage?q=harbour", "/coverage?q=harbour&q2=storm&by=topic&measure=share"]
)
def test_axe_finds_no_serious_violations_on_the_coverage_page(js, url: str) -> None:
    axe_check(js, url)  # the search page's check, on this page


def test_each_series_keeps_its_colour_inside_its_links(js) -> None:
    page = js.page
    page.goto("/coverage?q=harbour&q2=storm")
    colours = [
        page.locator(f"g.{css} .cov-point").first.evaluate("c => getComputedStyle(c).fill")
        for css in ("cov-s0", "cov-s1")
    ]
    lines = [
        page.locator(f"g.{css} .cov-line").first.evaluate("c => getComputedStyle(c).stroke")
        for css in ("cov-s0", "cov-s1")
    ]
    assert colours == lines and colours[0] != colours[1]
