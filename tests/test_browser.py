"""The site in a real browser: Playwright drives Debian's chromium against gunicorn, started here
on a free loopback port over an index of ``samples/``.

Each flow runs with JavaScript (htmx swaps ``#results`` and pushes the URL; a marker set on
``window`` must survive, proving there was no page load) and without it (the same URLs as full
page loads). Screenshots go to ``tests/artifacts/``; set ``NEWSDEX_UPDATE_SCREENSHOTS=1`` to
refresh the README's ``docs/screenshot-search.png`` from them (it is written when missing).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.servers import gunicorn

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
README_SCREENSHOT = ROOT / "docs" / "screenshot-search.png"
XSS_TITLE = "Quillfeather fixes bug that let <script>alert(1)</script> run on its booking pages"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)",
    ),
]

if CHROMIUM.exists():  # the import is only needed, and only checked, when tests will run
    from playwright.sync_api import Browser, Page, expect, sync_playwright


# --- the server and the browser --------------------------------------------------------------


@pytest.fixture(scope="module")
def gunicorn_scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gunicorn")


@pytest.fixture(scope="module")
def server(samples_index: Path, gunicorn_scratch: Path) -> Iterator[str]:
    """gunicorn with the repository's config on a free port; ready when /healthz answers."""
    with gunicorn(samples_index, gunicorn_scratch, "-w", "2") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page and what it said: console errors (CSP violations among them) and dialogs."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.errors.append(f"pageerror: {err}"))
        page.on("dialog", self._dialog)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def _watched(browser: Browser, server: str, **options) -> Iterator[Watched]:
    context = browser.new_context(
        base_url=server, viewport={"width": 1280, "height": 900}, **options
    )
    context.set_default_timeout(10_000)
    watched = Watched(context.new_page())
    yield watched
    context.close()
    assert not watched.errors, watched.errors
    assert not watched.dialogs, watched.dialogs


@pytest.fixture
def js(browser: Browser, server: str) -> Iterator[Watched]:
    yield from _watched(browser, server)


@pytest.fixture
def nojs(browser: Browser, server: str) -> Iterator[Watched]:
    yield from _watched(browser, server, java_script_enabled=False)


# --- helpers -------------------------------------------------------------------------------------


def params(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def total(page: Page) -> int:
    summary = page.locator("#summary").inner_text()
    return int(re.match(r"([\d,]+) stor", summary)[1].replace(",", ""))


def mark_window(page: Page) -> None:
    """Set a marker that only a full page load would clear."""
    page.evaluate("window.__newsdexMarker = 'still here'")


def assert_no_page_load(page: Page) -> None:
    assert page.evaluate("window.__newsdexMarker") == "still here", "the page was reloaded"


def source_counts(page: Page) -> dict[str, int]:
    counts = {}
    for item in page.locator(".facet-source li").all():
        value = item.locator("input").get_attribute("value")
        counts[value] = int(item.locator(".facet-count").inner_text().split()[0].replace(",", ""))
    return counts


def hit_sources(page: Page) -> set[str]:
    return {s.strip() for s in page.locator(".hit .hit-source").all_inner_texts()}


def tick(page: Page, facet: str, value: str) -> None:
    page.locator(f'.facet-{facet} input[value="{value}"]').check()


def wait_for_param(page: Page, name: str, values: list[str] | None) -> None:
    """Until the URL has ``name`` with exactly ``values`` (None: without ``name``)."""
    page.wait_for_url(
        lambda url: parse_qs(urlsplit(url).query).get(name) == values, wait_until="commit"
    )


def test_gunicorn_runs_with_the_repository_config(server: str, gunicorn_scratch: Path) -> None:
    with urllib.request.urlopen(f"{server}/healthz", timeout=5) as response:
        assert json.load(response) == {"ok": True, "generation": "gen-000001", "stories": 65}
    home = gunicorn_scratch / "home"
    assert not any(home.iterdir()), "no control socket (or anything) under $HOME"


# --- with JavaScript: htmx ---------------------------------------------------------------------


def test_typing_updates_results_in_place_and_the_url(js: Watched) -> None:
    page = js.page
    page.goto("/")
    mark_window(page)
    page.locator("#q").press_sequentially("harbour", delay=40)
    wait_for_param(page, "q", ["harbour"])
    expect(page.locator(".hit-title mark").first).to_have_text(re.compile("harbour", re.I))
    assert total(page) == page.locator(".hit").count() == 10
    expect(page).to_have_title("harbour — newsdex")
    assert_no_page_load(page)
    # the pushed URL names the state exactly (no empty from=/to= fields)
    assert params(page) == {"q": ["harbour"]}


def test_two_sources_show_stories_from_either_with_honest_counts(js: Watched) -> None:
    page = js.page
    page.goto("/search?q=harbour")
    mark_window(page)
    before = source_counts(page)
    tick(page, "source", "Harbour Herald")
    wait_for_param(page, "source", ["Harbour Herald"])
    expect(page.locator("#summary")).to_contain_text(f"{before['Harbour Herald']} stor")
    tick(page, "source", "Northgate Times")
    wait_for_param(page, "source", ["Harbour Herald", "Northgate Times"])
    expected = before["Harbour Herald"] + before["Northgate Times"]
    expect(page.locator("#summary")).to_contain_text(f"{expected} stories")
    assert hit_sources(page) == {"Harbour Herald", "Northgate Times"}
    assert source_counts(page) == before, "a facet's own counts ignore its own ticks"
    expect(page.locator(".chips a.chip")).to_have_count(2)
    assert_no_page_load(page)


def test_clicking_a_timeline_bar_narrows_the_dates(js: Watched) -> None:
    page = js.page
    page.goto("/search?q=harbour")
    mark_window(page)
    bar = page.locator("svg.timeline-chart a.bar-link").nth(2)
    tooltip = bar.locator("title").text_content()
    wanted = int(re.search(r": (\d+) stor", tooltip)[1])
    bar.click()
    page.wait_for_url(re.compile(r"from=.*&to="), wait_until="commit")
    state = params(page)
    expect(page.locator("input#from")).to_have_value(state["from"][0])
    expect(page.locator("input#to")).to_have_value(state["to"][0])
    expect(page.locator("#summary")).to_contain_text(f"{wanted} stor")
    for stamp in page.locator(".hit time").evaluate_all("ts => ts.map(t => t.dateTime)"):
        assert state["from"][0] <= stamp[:10] <= state["to"][0]
    assert_no_page_load(page)


def test_back_and_forward_walk_through_the_states(js: Watched) -> None:
    page = js.page
    page.goto("/")
    mark_window(page)
    everything = total(page)
    page.locator("#q").fill("harbour")
    page.locator("#q").press("Enter")
    wait_for_param(page, "q", ["harbour"])
    expect(page.locator("#summary")).to_contain_text("10 stories")
    tick(page, "source", "Metro24")
    wait_for_param(page, "source", ["Metro24"])
    expect(page.locator("#summary")).to_contain_text("1 story")
    page.locator('nav.sort a:text("newest")').click()
    wait_for_param(page, "sort", ["newest"])

    page.go_back()
    wait_for_param(page, "sort", None)
    expect(page.locator(".sort [aria-current]")).to_have_text("best match")
    expect(page.locator('.facet-source input[value="Metro24"]')).to_be_checked()
    page.go_back()
    wait_for_param(page, "source", None)
    expect(page.locator("#summary")).to_contain_text("10 stories")
    expect(page.locator('.facet-source input[value="Metro24"]')).not_to_be_checked()
    expect(page.locator("#q")).to_have_value("harbour")
    page.go_back()
    wait_for_param(page, "q", None)
    expect(page.locator("#summary")).to_contain_text(f"{everything} stories")
    expect(page.locator("#q")).to_have_value("")
    page.go_forward()
    wait_for_param(page, "q", ["harbour"])
    expect(page.locator("#summary")).to_contain_text("10 stories")
    expect(page.locator("#q")).to_have_value("harbour")
    assert_no_page_load(page)


def test_paging_and_sorting_swap_in_place(js: Watched) -> None:
    page = js.page
    page.goto("/")
    mark_window(page)
    first = page.locator(".hit-title a").first.get_attribute("href")
    page.locator('nav.pager a[rel="next"]').click()
    wait_for_param(page, "page", ["2"])
    expect(page.locator('nav.pager [aria-current="page"]')).to_contain_text("2")
    assert page.locator(".hit-title a").first.get_attribute("href") != first
    page.locator('nav.sort a:text("oldest")').click()
    wait_for_param(page, "sort", ["oldest"])
    assert "page" not in params(page), "a new order starts at page 1"
    stamps = page.locator(".hit time").evaluate_all("ts => ts.map(t => t.dateTime)")
    assert stamps == sorted(stamps)
    assert_no_page_load(page)


def test_the_results_show_a_search_is_running(js: Watched) -> None:
    page = js.page
    page.goto("/search?q=harbour")
    release = []
    page.route("**/search?*", lambda route: release.append(route))
    page.locator("#q").fill("ferry")
    page.locator("#q").press("Enter")
    expect(page.locator("#results")).to_have_class(re.compile(r"\bhtmx-request\b"))
    expect(page.locator("#busy")).to_be_visible()
    page.wait_for_timeout(100)
    release[0].continue_()
    wait_for_param(page, "q", ["ferry"])
    expect(page.locator("#results")).not_to_have_class(re.compile(r"\bhtmx-request\b"))


def test_story_page_marks_the_terms(js: Watched) -> None:
    page = js.page
    page.goto("/search?q=storm+orla")
    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(r"/story/\w+\?q=storm\+orla"))
    marks = page.locator(".story-body mark").all_inner_texts()
    assert {m.lower() for m in marks} >= {"storm", "orla"}
    assert page.locator("h1.story-title mark").count() == 2
    expect(page.locator(".captions figcaption").first).to_be_visible()
    expect(page.locator("#related-heading")).to_be_visible()
    expect(page.locator("#similar-heading")).to_be_visible()


def test_script_in_a_story_is_text_and_runs_nothing(js: Watched) -> None:
    page = js.page
    page.goto("/")
    # typed into the live search too: the query is reflected in the echo and the title
    page.locator("#q").fill("<script>alert(1)</script> quillfeather")
    page.locator("#q").press("Enter")
    expect(page.locator(".hit-title").first).to_contain_text(XSS_TITLE)
    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(r"/story/"))
    expect(page.locator("h1.story-title")).to_have_text(XSS_TITLE)
    expect(page.locator(".story-body")).to_contain_text("<img src=x onerror=alert(2)>")
    assert page.evaluate("document.querySelectorAll('script:not([src]), img').length") == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    # js fixture teardown: no dialog opened, no console error


# --- under real hands (issue 12) -----------------------------------------------------------------


def watch_statuses(page: Page) -> list[int]:
    """The status of every search the page asks for from now on."""
    statuses: list[int] = []
    page.on(
        "response",
        lambda r: statuses.append(r.status) if urlsplit(r.url).path == "/search" else None,
    )
    return statuses


@pytest.mark.parametrize("delay", [20, 350], ids=["fast", "slow"])
def test_typing_a_date_never_breaks_the_page(js: Watched, delay: int) -> None:
    page = js.page
    page.goto("/search?q=harbour")
    mark_window(page)
    statuses = watch_statuses(page)
    hits = page.locator(".hit").count()
    box = page.locator("input#from")
    box.click()
    # The "03 01 1" and a pause: the browser holds 0001-03-01, a date, but not one
    # the index could hold; it was searched (a 400 that emptied the page) and is not now.
    box.press_sequentially("03011", delay=delay)
    page.wait_for_timeout(700)  # more than the old 500 ms trigger
    assert "from" not in params(page), "a half-typed year was searched"
    assert not statuses and page.locator(".hit").count() == hits
    box.press_sequentially("2025", delay=delay)  # the year again, as a person would
    wait_for_param(page, "from", ["2025-03-01"])
    expect(page.locator("input#from")).to_have_value("2025-03-01")
    expect(page.locator("#summary")).to_be_visible()
    assert page.locator(".hit").count() > 0
    assert page.locator(".notice-error").count() == 0
    assert statuses and all(s == 200 for s in statuses), statuses
    assert_no_page_load(page)


def test_a_date_outside_the_index_is_not_searched_and_says_why(js: Watched) -> None:
    page = js.page
    page.goto("/search?q=harbour")
    statuses = watch_statuses(page)
    box = page.locator("input#to")
    box.click()
    box.press_sequentially("03011987", delay=20)
    box.press("Enter")
    expect(page.locator("#dates-hint")).to_contain_text("Not searched")
    expect(page.locator("#dates-hint")).to_contain_text(re.compile(r"from \d+ \w+ 2024"))
    assert "to" not in params(page) and not statuses
    assert page.locator(".hit").count() > 0


def test_a_bad_date_in_the_address_keeps_the_page(js: Watched) -> None:
    page = js.page
    page.goto("/search?q=harbour&from=0001-03-01&source=Harbour+Herald")
    js.errors = [e for e in js.errors if "status of 400" not in e]  # the page's own status
    expect(page.locator("#dates-hint")).to_contain_text("from")
    assert page.locator(".hit").count() > 0
    expect(page.locator('.facet-source input[value="Harbour Herald"]')).to_be_checked()
    page.locator("#dates-hint a").click()
    wait_for_param(page, "from", None)
    assert params(page) == {"q": ["harbour"], "source": ["Harbour Herald"]}


def active_in(page: Page, selector: str) -> bool:
    return page.evaluate(f"!!document.activeElement.closest({json.dumps(selector)})")


def test_focus_and_announcements_follow_the_pager(js: Watched) -> None:
    page = js.page
    page.goto("/")
    mark_window(page)
    before = page.locator("#announce").text_content()
    page.locator('nav.pager a[rel="next"]').focus()
    page.keyboard.press("Enter")
    wait_for_param(page, "page", ["2"])
    # Not wait_for_function: its polling evaluates a string, which the page's CSP refuses.
    expect(page.locator("#results :focus")).to_have_count(1)
    expect(page.locator("#summary")).to_be_focused()
    expect(page.locator("#announce")).not_to_have_text(before or "")
    expect(page.locator("#announce")).to_contain_text("stories, page 2 of")
    # a sort link: the focus comes back to the same order, now the current one
    page.locator('nav.sort a:text("oldest")').focus()
    page.keyboard.press("Enter")
    wait_for_param(page, "sort", ["oldest"])
    expect(page.locator('nav.sort [data-focus="sort-oldest"]')).to_be_focused()
    # a bar of the timeline: the focus goes to the timeline's heading
    page.locator("svg.timeline-chart a.bar-link").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"from=.*&to="), wait_until="commit")
    expect(page.locator("#timeline-heading")).to_be_focused()
    assert_no_page_load(page)


def test_slash_and_the_skip_link_reach_the_box_and_the_first_result(js: Watched) -> None:
    page = js.page
    page.goto("/search?q=harbour")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#first-result")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(".hit-title a").first).to_be_focused()
    page.locator(".facet-source input").first.focus()  # from a tick box too
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("x")
    expect(page.locator("#q")).to_have_value("x")  # the "/" itself was not typed


def test_ticking_a_filter_does_not_move_the_next_one(js: Watched) -> None:
    page = js.page
    page.goto("/search?q=harbour")
    boxes = page.locator(".facet-source input")
    second = boxes.nth(1).bounding_box()
    boxes.nth(0).check()
    wait_for_param(page, "source", [boxes.nth(0).get_attribute("value")])
    expect(page.locator(".chips a.chip")).to_have_count(1)
    after = page.locator(".facet-source input").nth(1).bounding_box()
    assert abs(after["y"] - second["y"]) < 1 and abs(after["x"] - second["x"]) < 1


def test_typing_replaces_the_history_entry_and_committing_adds_one(js: Watched) -> None:
    page = js.page
    page.goto("/")
    start = page.evaluate("history.length")
    page.locator("#q").press_sequentially("harb", delay=30)
    wait_for_param(page, "q", ["harb"])
    page.wait_for_timeout(400)
    page.locator("#q").press_sequentially("our", delay=30)
    wait_for_param(page, "q", ["harbour"])
    assert page.evaluate("history.length") == start, "typing pushed entries"
    tick(page, "source", "Harbour Herald")
    wait_for_param(page, "source", ["Harbour Herald"])
    assert page.evaluate("history.length") == start + 1
    page.go_back()
    wait_for_param(page, "source", None)
    assert params(page) == {"q": ["harbour"]}


@pytest.fixture
def js_phone(browser: Browser, server: str) -> Iterator[Watched]:
    context = browser.new_context(
        base_url=server, viewport={"width": 390, "height": 844}, has_touch=True
    )
    context.set_default_timeout(10_000)
    watched = Watched(context.new_page())
    yield watched
    context.close()
    assert not watched.errors, watched.errors


def test_a_phone_shows_results_first_and_folds_the_filters(js_phone: Watched) -> None:
    page = js_phone.page
    page.goto("/search?q=harbour&source=Harbour+Herald&source=Northgate+Times")
    title = page.locator(".hit-title").first.bounding_box()
    assert title["y"] + title["height"] <= 844, f"first title at {title}"
    toggle = page.locator(".filters-toggle")
    expect(toggle).to_have_text(re.compile(r"Filters \(2\)"))
    expect(page.locator(".facet-source")).to_be_hidden()
    toggle.click()
    expect(page.locator(".facet-source")).to_be_visible()
    tick(page, "source", "Metro24")
    wait_for_param(page, "source", ["Harbour Herald", "Northgate Times", "Metro24"])
    expect(page.locator(".filters-toggle")).to_have_text(re.compile(r"Filters \(3\)"))
    expect(page.locator(".facet-source")).to_be_visible()  # the panel stays open
    page.goto("/")
    prev = page.locator(".pager-prev").bounding_box()
    nxt = page.locator(".pager-next").bounding_box()
    assert abs(prev["y"] - nxt["y"]) < 2, "Next → wraps alone"


def test_without_javascript_a_phone_shows_the_filters_open(browser: Browser, server: str):
    context = browser.new_context(
        base_url=server, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto("/search?q=harbour")
        expect(page.locator(".facet-source")).to_be_visible()
        expect(page.locator(".filters-toggle")).to_be_hidden()
    finally:
        context.close()


def test_dark_mode_changes_the_page(browser: Browser, server: str) -> None:
    backgrounds = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(base_url=server, color_scheme=scheme)
        page = context.new_page()
        page.goto("/search?q=harbour")
        backgrounds[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
        context.close()
    assert backgrounds["light"] == "rgb(255, 255, 255)"
    assert backgrounds["dark"] != backgrounds["light"]


def test_a_source_in_the_query_ticks_its_box_and_others_can_be_added(js: Watched) -> None:
    page = js.page
    page.goto("/search?q=harbour+source:harbour")
    mark_window(page)
    held = page.locator('.facet-source input[value="Harbour Herald"]')
    expect(held).to_be_checked()
    expect(page.locator(".chips a.chip")).to_have_count(1)
    tick(page, "source", "Metro24")
    wait_for_param(page, "source", ["Metro24"])
    assert hit_sources(page) == {"Harbour Herald", "Metro24"}
    page.locator('.facet-source input[value="Harbour Herald"]').uncheck()
    wait_for_param(page, "q", ["harbour"])
    expect(page.locator("#q")).to_have_value("harbour")
    assert hit_sources(page) == {"Metro24"}
    assert_no_page_load(page)


# --- without JavaScript: the same flows as full page loads ----------------------------------------


def test_without_javascript_everything_is_a_page_load(nojs: Watched) -> None:
    page = nojs.page
    page.goto("/")
    page.locator("#q").fill("harbour")
    page.locator("#q").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=harbour$"))
    assert total(page) == 10
    before = source_counts(page)
    tick(page, "source", "Harbour Herald")
    tick(page, "source", "Northgate Times")
    page.locator("button:text('Apply filters')").click()
    wait_for_param(page, "source", ["Harbour Herald", "Northgate Times"])
    page.wait_for_load_state()
    assert total(page) == before["Harbour Herald"] + before["Northgate Times"]
    assert hit_sources(page) == {"Harbour Herald", "Northgate Times"}
    assert source_counts(page) == before

    bar = page.locator("svg.timeline-chart a.bar-link").first
    wanted = int(re.search(r": (\d+) stor", bar.locator("title").text_content())[1])
    bar.click()
    page.wait_for_url(re.compile(r"from=.*&to="))
    assert total(page) == wanted
    assert page.locator("input#from").input_value() == params(page)["from"][0]

    page.go_back()
    wait_for_param(page, "from", None)
    page.wait_for_load_state()
    assert total(page) == before["Harbour Herald"] + before["Northgate Times"]

    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(r"/story/"))
    assert page.locator(".story-body mark, h1.story-title mark").count() > 0


def test_without_javascript_dates_and_more_values(nojs: Watched) -> None:
    page = nojs.page
    page.goto("/")
    page.locator("input#from").fill("2025-01-01")
    page.locator("input#to").fill("2025-03-31")
    page.locator("button:text('Apply dates')").click()
    page.wait_for_url(re.compile(r"from=2025-01-01&to=2025-03-31"))
    stamps = page.locator(".hit time").evaluate_all("ts => ts.map(t => t.dateTime)")
    assert stamps and all("2025-01-01" <= s[:10] <= "2025-03-31" for s in stamps)
    page.goto("/")
    more = page.locator(".facet-topic details.facet-more")
    more.locator("summary").click()
    hidden = more.locator("input").first
    value = hidden.get_attribute("value")
    hidden.check()
    page.locator("button:text('Apply filters')").click()
    wait_for_param(page, "topic", [value])
    page.wait_for_load_state()
    # a ticked value is listed outside "more…" from now on
    box = page.locator(f'.facet-topic input[value="{value}"]')
    expect(box).to_be_checked()
    assert box.evaluate("b => b.closest('details') === null")


# --- accessibility and screenshots ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/search?q=harbour&source=Harbour+Herald", "/search?q=harbr", "story"],
    ids=["search", "no-results", "story"],
)
def test_axe_finds_no_serious_violations(js: Watched, url: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = js.page
    if url == "story":
        page.goto("/search?q=storm+orla")
        page.locator(".hit-title a").first.click()
        page.wait_for_url(re.compile(r"/story/"))
    else:
        page.goto(url)
    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, "\n".join(serious)


def serious_violations(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["wide", "phone"])
def test_axe_in_both_themes_and_on_a_phone(browser: Browser, server: str, scheme, viewport):
    context = browser.new_context(
        base_url=server,
        color_scheme=scheme,
        viewport={"width": viewport[0], "height": viewport[1]},
    )
    page = context.new_page()
    try:
        page.goto("/search?q=harbour&source=Harbour+Herald&from=2024-06-01")
        if viewport[0] < 600:
            page.locator(".filters-toggle").click()  # the folded filters are checked too
        problems = serious_violations(page)
        page.goto("/search?q=harbour&from=0001-01-01")  # a message beside the dates
        problems += serious_violations(page)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_keyboard_focus_is_visible(js: Watched) -> None:
    page = js.page
    page.goto("/search?q=harbour")
    page.keyboard.press("Tab")  # the skip link
    expect(page.locator(".skip-link")).to_be_focused()
    outline = page.locator(".skip-link").evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    page.locator(".facet-source input").first.focus()
    page.keyboard.press("Space")
    wait_for_param(
        page, "source", [page.locator(".facet-source input").first.get_attribute("value")]
    )
    # htmx puts the focus back on the box with the same id after the swap
    expect(page.locator(".facet-source input").first).to_be_focused()


def test_screenshots(browser: Browser, server: str) -> None:
    """Search, story and phone-width pages, for people to look at (tests/artifacts/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shots = [
        (
            "search",
            "/search?q=harbour&source=Harbour+Herald&source=Northgate+Times",
            {"width": 1280, "height": 900},
        ),
        ("story", "/story-of:storm orla", {"width": 1280, "height": 900}),
        ("search-phone", "/search?q=harbour", {"width": 390, "height": 844}),
        ("story-phone", "/story-of:storm orla", {"width": 390, "height": 844}),
    ]
    dark = [(f"{name}-dark", url, viewport) for name, url, viewport in shots]
    for name, url, viewport in shots + dark:
        context = browser.new_context(
            base_url=server,
            viewport=viewport,
            device_scale_factor=1,
            color_scheme="dark" if name.endswith("-dark") else "light",
        )
        page = context.new_page()
        if url.startswith("/story-of:"):
            page.goto(f"/search?q={url.split(':', 1)[1]}")
            page.locator(".hit-title a").first.click()
            page.wait_for_url(re.compile(r"/story/"))
        else:
            page.goto(url)
            page.goto(url)  # the second time from a warm worker: a typical "in N ms"
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name}: the page is wider than the screen"
        whole = not name.startswith("search") or "phone" in name
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=whole)
        context.close()
    if not README_SCREENSHOT.exists() or os.environ.get("NEWSDEX_UPDATE_SCREENSHOTS"):
        shutil.copyfile(ARTIFACTS / "search.png", README_SCREENSHOT)
