"""Grouping by event in a real browser: Playwright and Debian's chromium against gunicorn over
an index of the fictional multi-outlet coverage (``tests/data/clusters/coverage.jsonl``).

With JavaScript the toggle swaps ``#results`` in place and puts ``group=cluster`` in the URL;
without it the same links are page loads. Either way the grouped list never shows two stories
of one event, and its "all N stories" link opens the event's coverage page.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from search.indexing import indexer
from search.ingest.clusters import cluster_id
from search.ingest.topics import Taxonomy
from tests import test_browser as shared
from tests.servers import gunicorn
from tests.test_browser import CHROMIUM, Watched

# The browser and its pages are test_browser's fixtures, run against this module's server.
browser, js, nojs = shared.browser, shared.js, shared.nojs

COVERAGE = Path(__file__).parent / "data" / "clusters" / "coverage.jsonl"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]

if CHROMIUM.exists():
    from playwright.sync_api import Page, expect


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("clusters")
    (root / "pages").mkdir()
    shutil.copy(COVERAGE, root / "pages")
    report = indexer.build(
        [root / "pages"], root / "index", taxonomy=Taxonomy.default(), progress=False
    )
    assert report.clusters == 2, report
    with gunicorn(root / "index", root, "-w", "1") as base:
        yield base


def grouped(page: Page) -> bool:
    return parse_qs(urlsplit(page.url).query).get("group") == ["cluster"]


def events_shown(page: Page) -> list[str]:
    return page.locator(".hit .cluster-link").evaluate_all("links => links.map(a => a.href)")


def check_toggle(page: Page, swapped: bool) -> None:
    page.goto("/search?per_page=20")
    page.evaluate("window.__newsdexMarker = 'still here'")
    expect(page.locator("article.hit")).to_have_count(15)
    page.locator('nav.grouping a:text("one per event")').click()
    page.wait_for_url(lambda url: "group=cluster" in url, wait_until="commit")
    expect(page.locator("#summary")).to_contain_text("as 10 results, one per event")
    expect(page.locator("article.hit")).to_have_count(10)
    expect(page.locator("p.more")).to_have_count(2)
    assert len(events_shown(page)) == len(set(events_shown(page))) == 2
    assert grouped(page)
    marker = page.evaluate("window.__newsdexMarker")
    assert (marker == "still here") is swapped
    page.locator('nav.grouping a:text("every story")').click()
    page.wait_for_url(lambda url: "group" not in url, wait_until="commit")
    expect(page.locator("article.hit")).to_have_count(15)


def test_the_toggle_groups_in_place_with_javascript(js: Watched) -> None:
    check_toggle(js.page, swapped=True)


def test_the_toggle_is_a_page_load_without_javascript(nojs: Watched) -> None:
    check_toggle(nojs.page, swapped=False)


def test_the_coverage_link_opens_the_event_page(js: Watched) -> None:
    page = js.page
    page.goto("/search?q=miners&group=cluster")
    page.locator("p.more a.cluster-link").first.click()
    page.wait_for_url(f"**/cluster/{cluster_id('mine-ledger')}")
    items = page.locator("ol.coverage li")
    expect(items).to_have_count(3)
    expect(items.first.locator(".mark-first")).to_have_text("first")
    expect(items.nth(2)).to_contain_text("same wire copy as Daily Ledger")
