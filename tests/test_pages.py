"""web/pages.py: the search and story pages, /healthz and the security headers, checked by their
HTML structure over the index of ``samples/`` (30 aggregator pages, 3 HTML pages, a feed and
a WARC: 65 stories; three feed items fold into their articles or rail teasers)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.conftest import CRAWLED, close_engine, make_app

HX = {"HX-Request": "true", "HX-Target": "results"}
XSS_TITLE = "Quillfeather fixes bug that let <script>alert(1)</script> run on its booking pages"


@pytest.fixture(scope="module")
def client(samples_app):
    return samples_app.test_client()


def get(client, url: str, status: int = 200, **kwargs) -> BeautifulSoup:
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(node) -> str:
    return " ".join(node.get_text(" ").split())


def query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def sources_of(soup: BeautifulSoup) -> list[str]:
    return [text(s) for s in soup.select(".hit .hit-source")]


def facet(soup: BeautifulSoup, name: str) -> dict[str, tuple[int, bool]]:
    """value -> (count, ticked) of one facet's checkboxes, "more…" included."""
    found = {}
    for box in soup.select(f'.facet-{name} input[type="checkbox"][name="{name}"]'):
        count = text(soup.select_one(f'label[for="{box["id"]}"] .facet-count')).split()[0]
        found[box["value"]] = (int(count.replace(",", "")), box.has_attr("checked"))
    return found


def total(soup: BeautifulSoup) -> int:
    return int(re.match(r"([\d,]+) stor", text(soup.select_one("#summary")))[1].replace(",", ""))


# --- the search page ------------------------------------------------------------------------


def test_search_form_works_without_javascript(client) -> None:
    soup = get(client, "/")
    form = soup.select_one("form#search")
    assert form["action"] == "/search" and form["method"] == "get"
    box = form.select_one('input[type="search"][name="q"]')
    assert soup.select_one(f'label[for="{box["id"]}"]'), "the search box has a label"
    assert form.select_one('button[type="submit"]')
    # htmx: a debounced live search into #results that pushes the URL
    assert form["hx-get"] == "/search"
    assert form["hx-trigger"] == "submit, input changed delay:300ms from:#q"
    assert form["hx-target"] == "#results" and form["hx-push-url"] == "true"
    results = soup.select_one("#results")
    assert results["hx-target"] == "#results" and results["hx-push-url"] == "true"


def test_a_hit_has_headline_link_source_date_kind_pages_topics_and_snippet(client) -> None:
    soup = get(client, "/search?q=election")
    hits = soup.select("#results .hit")
    assert hits and total(soup) == len(hits)
    for hit in hits:
        link = hit.select_one(".hit-title a")
        assert link["href"].startswith("/story/") and query(link["href"])["q"] == ["election"]
        assert text(hit.select_one(".hit-source"))
        assert hit.select_one("time[datetime]")
        assert text(hit.select_one(".kind")) in {"article", "teaser"}
        assert re.fullmatch(r"seen on \d+ pages?", text(hit.select_one(".seen")))
        assert hit.select(".topic")
    assert soup.select(".hit .snippet mark"), "snippets mark the query's words"
    assert soup.select(".hit-title mark")
    assert re.fullmatch(r"\d+ stor(y|ies) in [\d.,]+ ms", text(soup.select_one("#summary")))


def test_approximate_dates_are_marked(client) -> None:
    soup = get(client, "/search?kind=teaser&sort=newest")
    approximate = [t for t in soup.select(".hit time") if text(t).startswith("≈")]
    assert approximate, "teasers dated from '2 hours ago' show ≈"
    assert all("approximate" in t["title"] for t in approximate)
    assert CRAWLED.year <= 2025  # the fixture crawl date sits in the samples' range


def test_facets_have_counts_and_checkboxes_in_the_form(client) -> None:
    soup = get(client, "/")
    for name in ("source", "topic", "kind"):
        fieldset = soup.select_one(f"fieldset.facet-{name}")
        assert fieldset.select_one("legend")
        boxes = fieldset.select('input[type="checkbox"]')
        assert boxes and all(b["form"] == "search" for b in boxes)
        assert all(b["hx-get"] == "/search" and b["hx-include"] == "#search" for b in boxes)
    assert sum(count for count, _ in facet(soup, "kind").values()) == total(soup) == 65
    # a long list keeps the rest behind "more…", which works without JavaScript
    more = soup.select_one("fieldset.facet-topic details.facet-more")
    assert more and text(more.select_one("summary")).startswith("more…")
    assert soup.select_one("noscript button[form=search]"), "an Apply button without JS"


def test_two_sources_show_stories_from_either_with_honest_counts(client) -> None:
    everything = facet(get(client, "/"), "source")
    soup = get(client, "/search?source=Metro24&source=Channel+9&per_page=50")
    assert set(sources_of(soup)) == {"Metro24", "Channel 9"}
    assert total(soup) == everything["Metro24"][0] + everything["Channel 9"][0]
    counts = facet(soup, "source")
    # within a facet values are OR-ed: its counts are those without its own filter
    assert counts == {v: (n, v in {"Metro24", "Channel 9"}) for v, (n, _) in everything.items()}
    kinds = facet(soup, "kind")
    assert sum(n for n, _ in kinds.values()) == total(soup), "other facets count the filtered"


def test_a_ticked_value_stays_visible_even_with_no_match(client) -> None:
    soup = get(client, "/search?q=ferry&source=Nowhere+Gazette")
    assert facet(soup, "source")["Nowhere Gazette"] == (0, True)
    box = soup.select_one('input[name="source"][value="Nowhere Gazette"]')
    assert not box.find_parent("details"), "ticked values are never hidden under more…"


def test_chips_drop_one_filter_each_and_clear_all_keeps_the_words(client) -> None:
    url = "/search?q=harbour&source=Metro24&topic=sport&from=2024-01-01&sort=newest"
    soup = get(client, url)
    chips = {text(c.select_one(".chip-name")): c for c in soup.select(".chips a.chip")}
    assert set(chips) == {"source:", "topic:", "from:"}
    assert query(chips["source:"]["href"]) == {
        "q": ["harbour"],
        "topic": ["sport"],
        "from": ["2024-01-01"],
        "sort": ["newest"],
    }
    assert chips["source:"]["aria-label"] == "Remove filter source: Metro24"
    assert "from" not in query(chips["from:"]["href"])
    assert "1 Jan 2024" in text(chips["from:"]), "dates for people: one format, 2 Mar 1987"
    clear = soup.select_one(".chips a.clear-all")
    assert query(clear["href"]) == {"q": ["harbour"], "sort": ["newest"]}
    assert clear["hx-get"] == clear["href"]
    # state the visible controls do not carry rides along in the form
    assert soup.select_one('input[type="hidden"][name="sort"][value="newest"][form="search"]')


def test_timeline_bars_link_to_their_period(client) -> None:
    soup = get(client, "/")
    svg = soup.select_one("#results svg.timeline-chart")
    assert svg and svg.get("aria-label")
    bars = svg.select("a.bar-link")
    assert len(bars) >= 5
    for bar in bars:
        assert bar["hx-get"] == bar["href"]
        assert re.fullmatch(r".+: \d+ stor(y|ies)", text(bar.select_one("title")))
        assert bar.select_one("rect.bar")["height"]
    # following a bar narrows the dates to it: as many stories as its tooltip says
    bar = bars[len(bars) // 2]
    wanted = int(re.search(r": (\d+) stor", text(bar.select_one("title")))[1])
    narrowed = get(client, bar["href"])
    params = query(bar["href"])
    assert params["from"][0] <= params["to"][0]
    assert total(narrowed) == wanted
    assert narrowed.select_one("input#from")["value"] == params["from"][0]
    assert narrowed.select_one("input#to")["value"] == params["to"][0]


def test_date_inputs_are_labelled_and_in_the_form(client) -> None:
    soup = get(client, "/search?from=2025-01-01&to=2025-06-30")
    for name in ("from", "to"):
        box = soup.select_one(f'input[type="date"][name="{name}"]')
        assert box["form"] == "search"
        assert soup.select_one(f'label[for="{box["id"]}"]')
    dates = [t["datetime"][:10] for t in soup.select(".hit time")]
    assert dates and all("2025-01-01" <= d <= "2025-06-30" for d in dates)


def test_no_inline_styles_or_scripts_anywhere(client) -> None:
    for url in ("/", "/search?q=harbour&source=Metro24", "/search?q=zebra+quagga"):
        soup = get(client, url)
        assert not soup.select("[style]"), url
        assert not soup.select("style"), url
        assert all(s.get("src") and not s.string for s in soup.select("script")), url
        attributes = [a for tag in soup.find_all(True) for a in tag.attrs]
        assert not [a for a in attributes if a.startswith("on")], url
        assert not [a for a in attributes if a.startswith("hx-on")], url


def test_sort_links_and_the_current_order(client) -> None:
    soup = get(client, "/search?q=harbour")
    current = soup.select_one(".sort [aria-current]")
    assert text(current) == "best match"
    links = {text(a): a["href"] for a in soup.select(".sort a")}
    assert query(links["newest"]) == {"q": ["harbour"], "sort": ["newest"]}
    soup = get(client, "/")
    # nothing to rank without words: newest first, and no "best match" to choose
    assert text(soup.select_one(".sort [aria-current]")) == "newest"
    assert "best match" not in text(soup.select_one(".sort"))
    dates = [t["datetime"] for t in soup.select(".hit time")]
    assert dates == sorted(dates, reverse=True)


def test_pager(client) -> None:
    soup = get(client, "/")
    pager = soup.select_one("nav.pager")
    assert pager["aria-label"]
    assert text(pager.select_one('[aria-current="page"]')).startswith("1")
    following = pager.select_one('a[rel="next"]')
    assert query(following["href"]) == {"page": ["2"]}
    assert "show:window:top" in following["hx-swap"]
    second = get(client, following["href"])
    assert query(second.select_one('nav.pager a[rel="prev"]')["href"]) == {}  # page 1: default
    assert second.select_one("ol.hits")["start"] == "11"
    assert "page 2 of 7" in text(second.select_one("#summary"))
    first_ids = {a["href"] for a in soup.select(".hit-title a")}
    assert first_ids.isdisjoint(a["href"] for a in second.select(".hit-title a"))


def test_page_past_the_end_offers_the_first(client) -> None:
    soup = get(client, "/search?page=99")
    assert not soup.select(".hit")
    assert query(soup.select_one(".notice a")["href"]) == {}


def test_query_echo_and_notices(client) -> None:
    soup = get(client, "/search?q=harbour+-fraud")
    assert "harbour" in text(soup.select_one(".query-echo .interpreted"))
    soup = get(client, "/search?q=a+AND+OR")
    assert soup.select(".query-echo .notices li"), "what the engine changed is said"


def test_did_you_mean_links_the_corrected_words(client) -> None:
    soup = get(client, "/search?q=electon")
    link = soup.select_one(".no-results .suggestion a")
    assert text(link) == "election"
    assert query(link["href"]) == {"q": ["election"]}
    # a full load (no hx-get), so that the search box shows the corrected words too
    assert not link.has_attr("hx-get")
    assert total(get(client, link["href"])) > 0


def test_zero_results_offer_any_word_and_dropping_filters(client) -> None:
    soup = get(client, "/search?q=harbour+zebra")
    assert total(soup) == 0
    recovery = soup.select_one(".no-results")
    any_word = recovery.find("a", string=re.compile("at least one of them"))
    assert query(any_word["href"]) == {"q": ["harbour zebra"], "match": ["any"]}
    widened = get(client, any_word["href"])
    assert total(widened) > 0
    chip = widened.select_one(".chips a.chip")
    assert "match" not in query(chip["href"])

    soup = get(client, "/search?q=ferry&source=Metro24&topic=sport")
    links = [text(a) for a in soup.select(".no-results a")]
    assert "without source: Metro24" in links
    assert "without topic: sport" in links
    assert "without any filters" in links


def test_a_form_sent_without_javascript_is_redirected_to_its_clean_url(client) -> None:
    response = client.get("/search?q=harbour&source=Metro24&from=&to=")
    assert response.status_code == 302
    assert response.headers["Location"] == "/search?q=harbour&source=Metro24"
    assert "HX-Request" in response.vary
    # htmx requests are never redirected: they get HX-Push-Url instead
    assert client.get("/search?q=harbour&from=", headers=HX).status_code == 200


def test_search_responses_name_the_generation(client) -> None:
    for headers in ({}, HX):
        response = client.get("/search?q=harbour", headers=headers)
        assert response.headers["X-Newsdex-Generation"] == "gen-000001"


def test_a_bad_date_keeps_the_results_and_says_so_beside_the_dates(client) -> None:
    url = "/search?q=harbour&from=2025-13-45&source=Metro24&to=2025-12-01&sort=newest"
    for headers in ({}, HX):
        response = client.get(url, headers=headers)
        assert response.status_code == 400
        assert response.mimetype == "text/html"
        assert response.headers.get("HX-Push-Url", "false") == "false", "the address stays"
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        # the search ran without the bad value: hits, filters and timeline are all there
        assert soup.select(".hit") and soup.select(".facet-source input")
        assert sources_of(soup) == ["Metro24"] * len(soup.select(".hit"))
        hint = soup.select_one("#dates-hint")
        assert "from" in text(hint) and "is not a date" in text(hint)
        box = soup.select_one("input#from")
        assert box["aria-invalid"] == "true" and box["aria-describedby"] == "dates-hint"
        # the way out keeps everything but the bad value
        assert query(hint.select_one("a")["href"]) == {
            "q": ["harbour"],
            "source": ["Metro24"],
            "to": ["2025-12-01"],
            "sort": ["newest"],
        }
        assert not soup.select('#results .notice-error[role="alert"]')


def test_any_other_bad_parameter_keeps_the_results_under_a_message(client) -> None:
    response = client.get("/search?q=harbour&page=-1&per_page=oops&source=Metro24")
    assert response.status_code == 400
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    alert = soup.select_one('#results [role="alert"]')
    assert "page" in text(alert)
    assert soup.select_one("form#search input[name=q]")["value"] == "harbour"
    assert soup.select(".hit"), "the results of the search without it"
    assert query(alert.select_one("a")["href"]) == {"q": ["harbour"], "source": ["Metro24"]}


# --- the story page ---------------------------------------------------------------------------


def story_url(client, q: str) -> str:
    return get(client, f"/search?q={q}").select_one(".hit-title a")["href"]


def test_story_page_marks_the_terms_and_shows_everything(client) -> None:
    soup = get(client, story_url(client, "storm+orla"))
    assert [text(m).lower() for m in soup.select("h1.story-title mark")] == ["storm", "orla"]
    assert soup.select(".story-body p mark")
    assert text(soup.select_one(".story-source"))
    assert soup.select_one(".story-meta time[datetime]")
    assert soup.select(".story-topics a.topic")
    captions = soup.select(".captions figcaption")
    assert captions and captions[0].select_one(".credit")
    assert not soup.select(".story-body .credit"), "captions stay apart from the body"
    assert soup.select("#related-heading ~ ul.refs a[href^='/story/']")
    assert soup.select("#similar-heading ~ ul.refs a[href^='/story/']")
    assert soup.select(".pages-seen li code")
    back = soup.select_one(".back a")
    assert query(back["href"]) == {"q": ["storm orla"]}


def test_unknown_story_is_an_html_404(client) -> None:
    response = client.get("/story/0000000000000000")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert "Not found" in text(soup.select_one("h1"))
    assert soup.select_one("form#search")


# --- markup in story text is text ---------------------------------------------------------


def test_script_in_a_story_shows_as_text(client) -> None:
    for url in ("/search?q=quillfeather", story_url(client, "quillfeather")):
        soup = get(client, url)
        scripts = soup.select("script")
        assert all(s.get("src", "").startswith("/static/") for s in scripts), url
        assert not soup.select("img"), url
        assert XSS_TITLE in text(soup), url
        assert "<img src=x onerror=alert(2)>" in text(soup) or "search" in url
    raw = client.get(story_url(client, "quillfeather")).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "&lt;img src=x onerror=alert(2)&gt;" in raw


def test_the_query_itself_is_escaped(client) -> None:
    raw = client.get("/search", query_string={"q": '"><script>alert(3)</script>'}).get_data(
        as_text=True
    )
    assert "<script>alert(3)" not in raw
    soup = BeautifulSoup(raw, "html.parser")
    assert soup.select_one("input#q")["value"] == '"><script>alert(3)</script>'
    fragment = client.get("/search", query_string={"q": "<b>x</b>"}, headers=HX)
    assert "<b>x</b>" not in fragment.get_data(as_text=True)


# --- headers and /healthz -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/", {}),
        ("/search?q=ferry", HX),
        ("/search?page=0", {}),
        ("/healthz", {}),
        ("/static/site.css", {}),
        ("/no/such/page", {}),
        ("/api/search?q=ferry", {}),
    ],
)
def test_security_headers(client, url, headers) -> None:
    response = client.get(url, headers=headers)
    response.close()  # a static file's handle
    policy = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_static_files_are_served(client) -> None:
    soup = get(client, "/")
    for url in [s["src"] for s in soup.select("script")] + [
        link["href"] for link in soup.select("link[href]")
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()
    static = Path(__file__).resolve().parents[1] / "web" / "static"
    vendored = sorted(p.name for p in static.glob("htmx-*.min.js"))
    assert len(vendored) == 1 and re.fullmatch(r"htmx-2\.\d+\.\d+\.min\.js", vendored[0])
    assert (static / vendored[0].replace(".min.js", ".LICENSE")).exists()


def test_healthz(client, samples_app) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "generation": "gen-000001", "stories": 65}
    assert "no-store" in response.headers["Cache-Control"]


def test_healthz_and_pages_without_an_index(tmp_path: Path) -> None:
    client = make_app(tmp_path / "nothing").test_client()  # nothing opened: nothing to close
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["ok"] is False
    response = client.get("/search?q=ferry")
    assert response.status_code == 503
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert "newsdex build" in text(soup.select_one("main"))
    assert "HX-Request" in response.vary


def test_a_new_build_is_served_without_a_restart(tmp_path: Path, pages_dir: Path) -> None:
    from search.indexing import indexer
    from search.ingest.topics import Taxonomy

    index = tmp_path / "live"

    def build() -> None:
        report = indexer.build(
            [pages_dir], index, taxonomy=Taxonomy.default(), crawled_at=CRAWLED, progress=False
        )
        assert report.published

    build()
    app = make_app(index)
    client = app.test_client()
    try:
        first = client.get("/healthz").get_json()
        assert first["ok"] and first["generation"] == "gen-000001"
        assert not get(client, "/search?q=bishop").select(".hit")
        (pages_dir / "d.txt").write_text(
            (pages_dir / "a.txt").read_text().replace("Mayor", "Bishop")
        )
        build()
        second = client.get("/healthz").get_json()
        assert second["generation"] != first["generation"]
        assert second["stories"] == first["stories"] + 1
        assert get(client, "/search?q=bishop").select(".hit")
    finally:
        close_engine(app)


# --- the view's own arithmetic ----------------------------------------------------------------


def _results(topics: int, selected: tuple[str, ...] = (), buckets=()):
    from search.models import FacetCount, Histogram, ParsedQuery, SearchRequest, SearchResults

    request = SearchRequest(topics=selected)
    counts = tuple(
        FacetCount(f"t{i:02}", 100 - i, f"t{i:02}" in selected, label=f"Topic {i}")
        for i in range(topics)
    )
    return SearchResults(
        request=request,
        query=ParsedQuery(text="", interpreted=""),
        total=100,
        hits=(),
        facets={"source": (), "topic": counts, "kind": ()},
        histogram=Histogram("month", tuple(buckets)),
        took_ms=1.0,
    )


def test_long_facets_are_cut_but_ticked_values_stay(samples_app) -> None:
    from web import results_view as view

    results = _results(40, selected=("t35",))
    with samples_app.test_request_context("/search"):
        shown, more, left = view.facet_lists("/search", results, results.request, {})["topic"]
    assert [i.value for i in shown] == ["t00", "t01", "t02", "t03", "t04", "t05", "t35"]
    assert [i.value for i in more] == [f"t{i:02}" for i in range(6, 30)]
    assert left == 9  # t30..t39 but the ticked t35
    assert len({i.dom_id for i in shown + more}) == len(shown + more)


def test_timeline_bars(samples_app) -> None:
    from datetime import date

    from search.models import Bucket, SearchRequest
    from web import results_view as view

    buckets = [
        Bucket(date(2025, 1, 1), date(2025, 2, 1), 100),
        Bucket(date(2025, 2, 1), date(2025, 3, 1), 0),
        Bucket(date(2025, 3, 1), date(2025, 4, 1), 1),
    ]
    results = _results(0, buckets=buckets)
    request = SearchRequest(q="x", date_from=date(2025, 1, 15))
    bars = view.timeline("/search", request, results.histogram)
    assert [b.x for b in bars] == [0, 240, 480] and bars[0].width == 240
    assert bars[0].height == view.TIMELINE_HEIGHT - 4
    assert bars[1].height == 0 and bars[1].href is None
    assert bars[2].height == 2, "a bar with one story is still visible"
    # a bar narrows to its whole period (a month bar to that month), whatever was chosen
    assert query(bars[0].href) == {"q": ["x"], "from": ["2025-01-01"], "to": ["2025-01-31"]}
    assert bars[0].tip == "January 2025: 100 stories"
    assert bars[2].tip == "March 2025: 1 story"


def test_a_teaser_only_story_shows_its_teaser(client) -> None:
    soup = get(client, story_url(client, "hosepipe&kind=teaser"))
    assert text(soup.select_one(".kind")) == "teaser"
    assert "Only a teaser" in text(soup.select_one(".teaser-note"))
    assert "hosepipes" in text(soup.select_one(".story-body"))


def test_a_custom_topic_label_shows_on_hits_and_on_the_story_page(
    tmp_path: Path, pages_dir: Path
) -> None:
    """Labels come from the index's own taxonomy, with the hits and the story: the web layer
    never loads a topics file (it once showed the default taxonomy's labels on story pages)."""
    from search.indexing import indexer
    from search.ingest.topics import Taxonomy

    topics = tmp_path / "topics.toml"
    topics.write_text('[[topic]]\nid = "ferries"\nlabel = "Island ferries"\nquery = "ferry"\n')
    index = tmp_path / "custom"
    report = indexer.build(
        [pages_dir], index, taxonomy=Taxonomy.load(topics), crawled_at=CRAWLED, progress=False
    )
    assert report.published
    app = make_app(index)
    client = app.test_client()
    try:
        hit = get(client, "/search?q=ferry").select_one(".hit")
        assert "Island ferries" in [text(t) for t in hit.select(".topic")]
        story = get(client, hit.select_one(".hit-title a")["href"])
        assert "Island ferries" in [text(t) for t in story.select(".story-topics .topic")]
    finally:
        close_engine(app)


def test_the_story_page_links_to_the_original_only_for_http_urls(linked_app) -> None:
    client = linked_app.test_client()
    soup = BeautifulSoup(client.get("/story/quay-1").data, "html.parser")
    (link,) = soup.select("p.story-link a")
    assert link["href"] == "https://www.harbourgazette.example/news/quay-wall?a=1&b=<2>"
    assert link["rel"] == ["noopener", "nofollow"]
    assert link.get_text() == "www.harbourgazette.example/news/quay-wall"
    assert b"b=<2>" not in client.get("/story/quay-1").data  # escaped in the attribute
    for story_id in ("quay-2", "quay-3"):  # a javascript: URL, no URL: no link at all
        body = client.get(f"/story/{story_id}").data
        soup = BeautifulSoup(body, "html.parser")
        assert not soup.select("p.story-link")
        assert not [a for a in soup.select("a[href]") if "javascript" in a["href"]]


def test_date_presets_count_back_from_the_newest_story() -> None:
    from datetime import date

    from search.models import SearchRequest
    from web import results_view as view

    span = (date(2024, 3, 1), date(2025, 12, 19))
    presets = view.date_presets("/search", SearchRequest(q="x", date_to=date(2025, 12, 19)), span)
    found = {p.label: query(p.href) for p in presets}
    assert list(found) == ["past day", "past week", "past month", "past year", "all dates"]
    assert found["past week"] == {"q": ["x"], "from": ["2025-12-13"], "to": ["2025-12-19"]}
    assert found["past year"]["from"] == ["2024-12-20"]
    assert found["all dates"] == {"q": ["x"]}
    assert not any(p.current for p in presets)
    week = SearchRequest(date_from=date(2025, 12, 13), date_to=date(2025, 12, 19))
    assert [p.current for p in view.date_presets("/search", week, span)] == [
        False, True, False, False, False
    ]  # fmt: skip
    assert view.date_presets("/search", SearchRequest(), None) == []


@pytest.mark.parametrize(
    ("dates", "label", "expected"),
    [
        (("1987-03-02", "1987-03-02"), "Zoom out to March 1987", ("1987-03-01", "1987-03-31")),
        (("1987-03-02", "1987-03-08"), "Zoom out to March 1987", ("1987-03-01", "1987-03-31")),
        (("1987-03-01", "1987-03-31"), "Zoom out to 1987", ("1987-01-01", "1987-12-31")),
        (("1987-12-01", "1987-12-31"), "Zoom out to 1987", ("1987-01-01", "1987-12-31")),
        (("1987-01-01", "1987-12-31"), "Zoom out to all dates", None),
        (("1987-01-01", None), "Zoom out to all dates", None),
    ],
)
def test_the_timeline_zooms_out_a_step_at_a_time(dates, label, expected) -> None:
    from datetime import date

    from search.models import SearchRequest
    from web import results_view as view

    start, end = (date.fromisoformat(d) if d else None for d in dates)
    zoom = view.zoom_out("/search", SearchRequest(q="x", date_from=start, date_to=end))
    assert zoom.label == label
    wanted = {"q": ["x"]}
    if expected:
        wanted |= {"from": [expected[0]], "to": [expected[1]]}
    assert query(zoom.href) == wanted
    assert view.zoom_out("/search", SearchRequest(q="x")) is None


def test_the_story_page_keeps_the_whole_search(client) -> None:
    state = {
        "q": ["harbour"],
        "source": ["Harbour Herald"],
        "from": ["2024-01-01"],
        "sort": ["newest"],
        "page": ["2"],
        "per_page": ["2"],
    }
    found = get(
        client, "/search?q=harbour&source=Harbour+Herald&from=2024-01-01&sort=newest&per_page=2"
    )
    found = get(client, found.select_one('nav.pager a[rel="next"]')["href"])
    link = found.select_one(".hit-title a")["href"]
    assert query(link) == state
    soup = get(client, link)
    assert query(soup.select_one(".back a")["href"]) == state
    topic = soup.select_one(".story-topics a.topic")
    without_page = {k: v for k, v in state.items() if k != "page"}
    assert query(topic["href"]) == without_page | {"topic": [query(topic["href"])["topic"][0]]}
    for ref in soup.select(".refs a"):
        assert query(ref["href"]) == state
    # and the page names no folder of the server
    assert str(Path(__file__).resolve().parents[1]) not in str(soup)
    seen = [c["title"] for c in soup.select(".pages-seen code")]
    assert seen and all(t.startswith(("samples/", "https://")) for t in seen), seen


def test_make_demo_builds_with_the_samples_crawl_time() -> None:
    """The demo's teasers count their ages back from the samples' crawl, as the tests do."""
    from tests.conftest import SAMPLES_CRAWLED

    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    stamp = re.search(r"^SAMPLES_CRAWLED_AT := (\S+)$", makefile, re.M)[1]
    assert stamp == SAMPLES_CRAWLED.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "build samples --index $(INDEX) --crawled-at $(SAMPLES_CRAWLED_AT)" in makefile


def test_filters_written_in_the_query_show_as_ticks_dates_and_chips(client) -> None:
    soup = get(client, "/search?q=harbour+source:harbour+date:2025")
    box = soup.select_one('.facet-source input[value="Harbour Herald"]')
    assert box.has_attr("checked") and not box.has_attr("name"), "not sent twice"
    assert query(box["hx-get"]) == {"q": ["harbour date:2025"]}
    assert len(soup.select(".facet-source input")) > 1, "the other sources stay available"
    chips = {text(c.select_one(".chip-name")): c for c in soup.select(".chips a.chip")}
    assert set(chips) == {"source:", "date:"}
    assert query(chips["source:"]["href"]) == {"q": ["harbour date:2025"]}
    assert query(chips["date:"]["href"]) == {"q": ["harbour source:harbour"]}
    assert chips["date:"].has_attr("data-new-q")
    assert soup.select_one("input#from")["value"] == "2025-01-01"
    assert soup.select_one("input#to")["value"] == "2025-12-31"
    assert soup.select_one("input#to").has_attr("readonly")
    assert "date:2025" in text(soup.select_one("#dates-hint"))
    assert not soup.select(".presets"), "no presets: the dates are the query's"
    clear = soup.select_one(".chips a.clear-all")
    assert query(clear["href"]) == {"q": ["harbour"]} and clear.has_attr("data-new-q")
    assert text(soup.select_one(".filters-toggle")) == "Filters (2)"
