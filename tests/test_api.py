"""The JSON API through Flask's test client: each endpoint's happy path and the search contract.

Every ``/api/`` response here is also checked against ``/api/openapi.json`` by the ``client``
fixtures (``tests/conftest.py``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from search.searching.stats import index_stats

CONTRACT = {
    "total",
    "took_ms",
    "request",
    "query",
    "hits",
    "facets",
    "histogram",
    "suggestion",
    "any_total",
    "next",
    "prev",
    "page",
    "pages",
    "per_page",
}
HIT = {
    "id",
    "title",
    "title_html",
    "source",
    "published",
    "date_precision",
    "kind",
    "topics",
    "pages",
    "snippets",
    "matched_in",
    "url",
}


@pytest.fixture
def samples(samples_app):
    return samples_app.test_client()


def get(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def test_search_holds_the_contract(client):
    data = get(client, "/api/search?q=ferry")
    assert CONTRACT <= data.keys()
    assert data["total"] == 1
    assert data["took_ms"] >= 0
    assert data["request"] == {
        "q": "ferry",
        "source": [],
        "topic": [],
        "kind": [],
        "from": None,
        "to": None,
        "sort": "relevance",
        "match": "all",
        "group": "none",
        "page": 1,
        "per_page": 10,
    }
    assert data["query"]["text"] == "ferry"
    assert {"text", "interpreted", "notices"} <= data["query"].keys()
    (hit,) = data["hits"]
    assert HIT <= hit.keys()
    # The ferry teaser on two pages folded into the ferry article.
    assert hit["title"] == "Ferry fares frozen for winter"
    assert hit["title_html"] == "<mark>Ferry</mark> fares frozen for winter"
    assert hit["kind"] == "article"
    assert hit["source"] == "Harbour Herald"
    assert hit["published"] == "2025-05-31T00:00:00"
    assert hit["date_precision"] == "day"
    assert len(hit["pages"]) == 3
    assert any("<mark>ferry</mark>" in s.lower() for s in hit["snippets"])
    assert "headline" in hit["matched_in"]
    assert hit["url"] == f"/api/stories/{hit['id']}?q=ferry"
    assert set(data["facets"]) == {"source", "topic", "kind"}
    assert data["facets"]["source"] == [
        {
            "value": "Harbour Herald",
            "label": "Harbour Herald",
            "count": 1,
            "selected": False,
            "toggle_url": "/api/search?q=ferry&source=Harbour+Herald",
        }
    ]
    histogram = data["histogram"]
    assert sum(b["count"] for b in histogram["buckets"]) + histogram["undated"] == 1
    assert (data["page"], data["pages"], data["next"], data["prev"]) == (1, 1, None, None)
    assert data["suggestion"] is None


def test_an_empty_query_browses_everything_newest_first(client):
    data = get(client, "/api/search")
    assert data["total"] == 4
    dates = [h["published"] for h in data["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert data["query"]["text"] == ""


@pytest.mark.parametrize(
    "q", ["ferry " * 2_000, "x" * 10_000, "\x00", "(((" * 200, "NOT OR AND " * 200, "C++"]
)
def test_any_query_text_is_answered_never_refused(client, q):
    """No query is rejected for its length or its characters: a page and JSON, with notices
    free of control characters."""
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    said = [response.json["query"]["interpreted"], *response.json["query"]["notices"]]
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for text in said for c in text)
    assert client.get("/search", query_string={"q": q}).status_code == 200


def test_story_in_full_with_the_query_marked(client):
    hit = get(client, "/api/search?q=mayor")["hits"][0]
    story = get(client, hit["url"])
    assert story["id"] == hit["id"]
    assert story["title"] == "Mayor of Eskvale resigns over budget row"
    assert story["title_html"] == "<mark>Mayor</mark> of Eskvale resigns over budget row"
    assert "councillors rejected her budget" in story["body"]
    assert any("<mark>mayor</mark>" in p.lower() for p in story["body_html"])
    assert {r["title"] for r in story["related"]} == {
        "Ferry fares frozen for winter",
        "Valley dam inspection finds cracks",
    }
    for ref in story["related"] + story["similar"]:
        assert get(client, ref["url"])["id"] == ref["id"]
    assert story["id"] not in {r["id"] for r in story["similar"]}
    plain = get(client, f"/api/stories/{hit['id']}")
    assert "<mark>" not in plain["title_html"]


def test_stats_are_the_index_stats(client, built_index):
    stats = index_stats(built_index)
    built = stats["built"]
    built["paths"] = [Path(p).name for p in built["paths"]]
    if built.get("taxonomy"):
        built["taxonomy"] = Path(built["taxonomy"]).name
    assert get(client, "/api/stats") == stats


def test_openapi_is_served(client):
    document = get(client, "/api/openapi.json")
    assert document["openapi"].startswith("3.1")
    assert "/api/search" in document["paths"]


def test_toggle_urls_tick_and_untick(samples):
    everything = get(samples, "/api/search")
    first, second = everything["facets"]["source"][:2]
    assert not first["selected"]

    ticked = get(samples, first["toggle_url"])
    assert ticked["request"]["source"] == [first["value"]]
    assert ticked["total"] == first["count"]
    assert {h["source"] for h in ticked["hits"]} == {first["value"]}
    row = {f["value"]: f for f in ticked["facets"]["source"]}
    assert row[first["value"]]["selected"]
    # Disjunctive: the other sources keep the counts they had, and ticking one adds it.
    assert row[second["value"]]["count"] == second["count"]
    both = get(samples, row[second["value"]]["toggle_url"])
    assert both["total"] == first["count"] + second["count"]
    assert sorted(both["request"]["source"]) == sorted([first["value"], second["value"]])

    unticked = get(samples, row[first["value"]]["toggle_url"])
    assert unticked["total"] == everything["total"]
    assert not any(f["selected"] for f in unticked["facets"]["source"])


def test_toggles_across_facets_combine(samples):
    data = get(samples, "/api/search?kind=article")
    topic = data["facets"]["topic"][0]
    narrowed = get(samples, topic["toggle_url"])
    assert narrowed["request"]["kind"] == ["article"]
    assert narrowed["request"]["topic"] == [topic["value"]]
    assert narrowed["total"] == topic["count"]
    assert all(h["kind"] == "article" and topic["value"] in h["topics"] for h in narrowed["hits"])


def test_next_and_prev_page_through_without_overlap(samples):
    url = "/api/search?per_page=7"
    pages = []
    while url:
        pages.append(get(samples, url))
        url = pages[-1]["next"]
    total = pages[0]["total"]
    ids = [h["id"] for p in pages for h in p["hits"]]
    assert len(ids) == len(set(ids)) == total
    assert len(pages) == pages[0]["pages"] == -(-total // 7)
    assert [p["page"] for p in pages] == list(range(1, len(pages) + 1))
    back = get(samples, pages[-1]["prev"])
    assert back["hits"] == pages[-2]["hits"]
    assert pages[0]["prev"] is None


def test_a_page_past_the_end_is_empty_and_points_back(samples):
    last = get(samples, "/api/search?per_page=50")["pages"]
    data = get(samples, f"/api/search?per_page=50&page={last + 3}")
    assert data["hits"] == [] and data["next"] is None
    assert get(samples, data["prev"])["page"] == last


def test_histogram_buckets_sum_to_the_total_and_narrow(samples):
    data = get(samples, "/api/search")
    histogram = data["histogram"]
    assert sum(b["count"] for b in histogram["buckets"]) + histogram["undated"] == data["total"]
    bucket = max(histogram["buckets"], key=lambda b: b["count"])
    narrowed = get(samples, bucket["url"])
    assert narrowed["total"] == bucket["count"]
    assert narrowed["request"]["from"] == bucket["start"]


def test_urls_keep_the_whole_request(samples):
    url = "/api/search?q=harbour&kind=article&sort=newest&match=any&per_page=2&from=2024-01-01"
    data = get(samples, url)
    assert data["total"] > 2
    query = parse_qs(urlsplit(data["next"]).query)
    assert query == {
        "q": ["harbour"],
        "kind": ["article"],
        "from": ["2024-01-01"],
        "sort": ["newest"],
        "match": ["any"],
        "page": ["2"],
        "per_page": ["2"],
    }


def test_markup_in_a_story_stays_text(samples):
    data = get(samples, "/api/search?q=quillfeather")
    hit = next(h for h in data["hits"] if "<script>" in h["title"])
    assert "<script" not in hit["title_html"] and "&lt;script&gt;" in hit["title_html"]
    for html in hit["snippets"]:
        assert "<script" not in html and "<img" not in html
    story = get(samples, hit["url"])
    assert "<script>" in story["title"]
    for html in [story["title_html"], *story["body_html"]]:
        assert "<script" not in html and "<img" not in html


def test_a_misspelling_suggests_a_query_that_finds_stories(samples):
    data = get(samples, "/api/search?q=ceasfire")
    assert data["suggestion"] is not None, data["query"]
    assert data["suggestion"]["text"] == "ceasefire"
    assert get(samples, data["suggestion"]["url"])["total"] > 0


def test_no_hit_with_every_word_reports_any(samples):
    data = get(samples, "/api/search?q=ceasefire+marathon")
    assert data["total"] == 0
    assert data["any_total"] > 0
    assert get(samples, data["any_url"])["total"] == data["any_total"]


def test_hits_and_stories_return_the_link_as_given(linked_app) -> None:
    client = linked_app.test_client()
    hits = {h["id"]: h["link"] for h in client.get("/api/search?q=quay").get_json()["hits"]}
    assert hits == {
        "quay-1": "https://www.harbourgazette.example/news/quay-wall?a=1&b=<2>",
        "quay-2": "javascript:alert(1)",  # data, as the input gave it: the schema says so
        "quay-3": None,
    }
    story = client.get("/api/stories/quay-1").get_json()
    assert story["link"] == hits["quay-1"] and story["url"] == "/api/stories/quay-1"


def test_no_response_names_a_folder_of_the_server(samples, samples_index) -> None:
    """Pages are named from the folder the build read (``samples/…``) or by their URL; the
    server's own folders appear nowhere, not even in the stats."""
    from tests.conftest import SAMPLES

    server_paths = (str(SAMPLES.parent), str(samples_index))
    for url in ("/api/search?q=harbour&per_page=50", "/api/stats"):
        body = samples.get(url).get_data(as_text=True)
        assert not any(p in body for p in server_paths), url
    pages = {p for h in get(samples, "/api/search?per_page=100")["hits"] for p in h["pages"]}
    assert "samples/001_northgate-budget.txt" in pages
    assert all(p.startswith(("samples/", "https://", "http://")) for p in pages), pages
    story = get(samples, "/api/search?q=kessel+bridge")["hits"][0]
    detail = get(samples, f"/api/stories/{story['id']}")
    assert detail["pages"] == story["pages"]
    assert get(samples, "/api/stats")["built"]["paths"] == ["samples"]


def test_every_facet_value_has_a_label(samples) -> None:
    facets = get(samples, "/api/search")["facets"]
    for name in ("source", "topic", "kind"):
        assert all(v["label"] for v in facets[name]), name
    assert {v["label"] for v in facets["source"]} == {v["value"] for v in facets["source"]}


def test_filters_written_in_the_query_are_filters(samples) -> None:
    held = get(samples, "/api/search?q=harbour+source:harbour")
    ticked = get(samples, "/api/search?q=harbour&source=Harbour+Herald")
    assert held["query"]["filters"] == [
        {
            "facet": "source",
            "values": ["Harbour Herald"],
            "typed": "source:harbour",
            "without": "harbour",
        }
    ]
    assert held["total"] == ticked["total"]

    # the source list keeps the other sources, for adding: either-or, as ticked ones are
    def shown(facet):
        return [(f["value"], f["count"], f["selected"]) for f in facet]

    assert shown(held["facets"]["source"]) == shown(ticked["facets"]["source"])
    toggles = {f["value"]: f["toggle_url"] for f in held["facets"]["source"]}
    assert toggles["Harbour Herald"] == "/api/search?q=harbour"
    assert toggles["Metro24"] == "/api/search?q=harbour+source%3Aharbour&source=Metro24"
    assert len(held["facets"]["source"]) > 1
    both = get(samples, "/api/search?q=harbour+source:harbour&source=Metro24")
    counts = {f["value"]: f["count"] for f in ticked["facets"]["source"]}
    assert both["total"] == counts["Harbour Herald"] + counts["Metro24"]
    dated = get(samples, "/api/search?q=harbour+date:2025+kind:article")
    assert [f["facet"] for f in dated["query"]["filters"]] == ["date", "kind"]
    assert {f["without"] for f in dated["query"]["filters"]} == {
        "harbour kind:article",
        "harbour date:2025",
    }
    # a value the index does not hold stays in the query: it finds nothing, and says so
    nowhere = get(samples, "/api/search?q=harbour+source:nowhere")
    assert nowhere["total"] == 0 and not nowhere["query"]["filters"]
