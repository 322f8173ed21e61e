"""Coverage over time (``search.searching.coverage``, ``/coverage``, ``/api/coverage``): the
counts against a brute-force count over the stored stories, shares against values worked
out by hand on a small fictional corpus, and every point's link against the search it opens.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from whoosh import index as whoosh_index

from search.coverage_models import INTERVALS, CoverageRequest
from search.indexing import indexer
from search.indexing.generations import IndexDir
from search.indexing.schema import INDEX_NAME
from search.ingest.topics import Taxonomy
from search.interface.coverage import CSV_COLUMNS, parse_coverage_args, point_url
from search.interface.params import ArgList, parse_search_args
from search.models import SearchRequest
from search.searching.coverage import MAX_BUCKETS, TOP_VALUES
from search.searching.engine import Engine
from tests.conftest import close_engine, make_app

NOW = datetime(2025, 6, 1, 12, 0)


def story(sid: str, title: str, source: str, published: str | None, topics=()) -> dict:
    record = {"id": sid, "title": title, "source": source, "body": f"{title}. Details follow."}
    if published:
        record["published"] = published
    if topics:
        record["topics"] = list(topics)
    return record


# A big outlet and a small one, and five more with one ferry story each: "ferry" is 2 of Big
# Daily's 4 stories in March and 1 of its 2 in April; 1 of Island Post's 1 in March, 1 of 2
# in April (and one undated).
STORIES = [
    story("big-1", "Ferry fares rise", "Big Daily", "2025-03-03", ["transport"]),
    story("big-2", "Council budget passed", "Big Daily", "2025-03-10", ["politics"]),
    story("big-3", "Ferry timetable changes", "Big Daily", "2025-03-17", ["transport"]),
    story("big-4", "Storm closes harbour", "Big Daily", "2025-03-24", ["weather"]),
    story("small-1", "Ferry crews strike", "Island Post", "2025-03-12", ["labour", "transport"]),
    story("big-5", "Ferry terminal approved", "Big Daily", "2025-04-02", ["transport"]),
    story("big-6", "School opens in autumn", "Big Daily", "2025-04-09", ["education"]),
    story("small-2", "Island fair draws crowds", "Island Post", "2025-04-15", ["arts"]),
    story("small-3", "Ferry strike ends", "Island Post", "2025-04-20", ["labour"]),
    story("small-4", "Ferry history recalled", "Island Post", None, ["history"]),
    story("c-1", "Ferry museum reopens", "Cove Gazette", "2025-04-05", ["arts"]),
    story("d-1", "Ferry ticket app launched", "Dune Times", "2025-05-01", ["technology"]),
    story("e-1", "Ferry pier repaired", "Estuary News", "2025-05-02", ["transport"]),
    story("f-1", "Ferry captain retires", "Fjord Weekly", "2025-05-03", ["people"]),
    story("g-1", "Ferry race won by islanders", "Gull Herald", "2025-05-04", ["sport"]),
    story("g-2", "Gull colony counted", "Gull Herald", "2024-11-20", ["environment"]),
    story("g-3", "Gull Herald turns 100", "Gull Herald", "2019-01-07", ["media"]),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("coverage")
    (root / "corpus").mkdir()
    lines = "".join(json.dumps(s) + "\n" for s in STORIES)
    (root / "corpus" / "stories.jsonl").write_text(lines, encoding="utf-8")
    report = indexer.build(
        [root / "corpus"], root / "index", taxonomy=Taxonomy.default(), progress=False
    )
    assert report.published, report
    return root / "index"


@pytest.fixture(scope="module")
def engine(index: Path):
    engine = Engine(index)
    yield engine
    engine.close()


@pytest.fixture
def client(index: Path):
    app = make_app(index)
    yield app.test_client()
    close_engine(app)


def coverage(engine: Engine, *queries: str, **options):
    search = SearchRequest(q=queries[0] if queries else "", **options.pop("search", {}))
    request = CoverageRequest(search, queries or ("",), **options)
    return engine.coverage(request, now=NOW)


# --- brute force: every stored story, counted in plain Python ---------------------------------


def stored_stories(index: Path) -> dict[str, dict]:
    path = IndexDir(index).current().path
    ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
    with ix.searcher() as searcher:
        return {doc["id"]: dict(doc) for doc in searcher.documents()}


def topics_of(doc: dict) -> set[str]:
    return {t for t in (doc.get("topics") or "").split(",") if t}


def value_of(doc: dict, by: str) -> set[str]:
    return {doc.get("source", "")} if by == "source" else topics_of(doc)


def matching(engine: Engine, q: str, search: SearchRequest | None = None) -> set[str]:
    request = SearchRequest(q=q) if search is None else SearchRequest(**{**_fields(search), "q": q})
    with engine.export(request, now=NOW) as found:
        return {hit.id for hit in found.hits}


def _fields(search: SearchRequest) -> dict:
    return {name: getattr(search, name) for name in search.__slots__}


def in_bucket(doc: dict, start: date, end: date) -> bool:
    published = doc.get("published")
    return published is not None and start <= published.date() < end


def first_day(day: date, interval: str) -> date:
    if interval == "day":
        return day
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


@pytest.mark.parametrize("interval", [None, *INTERVALS])
@pytest.mark.parametrize("by", [None, "source", "topic"])
@pytest.mark.parametrize("queries", [("ferry",), ("", "ferry", "strike OR storm")])
def test_counts_equal_a_brute_force_count_of_the_stored_stories(
    engine: Engine, index: Path, interval, by, queries
) -> None:
    docs = stored_stories(index)
    chart = coverage(engine, *queries, interval=interval, by=by)
    found = [matching(engine, q) for q in queries]
    dated = [d for ids in found for d in ids if docs[d].get("published")]
    days = [docs[d]["published"].date() for d in dated]
    # the axis: calendar-aligned, contiguous, from the first match's bucket to the last's
    assert chart.buckets[0].start == first_day(min(days), chart.interval)
    assert chart.buckets[-1].start == first_day(max(days), chart.interval)
    for before, after in zip(chart.buckets, chart.buckets[1:], strict=False):
        assert before.end == after.start
    if interval and not chart.notices:  # (more than 1,000 days take weeks)
        assert chart.interval == interval
    for b in chart.buckets:
        assert b.count == sum(in_bucket(doc, b.start, b.end) for doc in docs.values())
    for n, ids in enumerate(found):
        assert chart.queries[n].total == len(ids)
        assert chart.queries[n].undated == sum(not docs[d].get("published") for d in ids)
    if by is None:
        assert [s.query for s in chart.series] == list(range(len(queries)))
        for s in chart.series:
            expected = [
                sum(in_bucket(docs[d], b.start, b.end) for d in found[s.query])
                for b in chart.buckets
            ]
            assert list(s.counts) == expected
        return
    # the top values of the stories charted (any query's dated matches), then the rest
    tally: dict[str, int] = {}
    for d in set(dated):
        for value in value_of(docs[d], by):
            tally[value] = tally.get(value, 0) + 1
    top = sorted(tally, key=lambda v: (-tally[v], v.lower()))[:TOP_VALUES]
    for n, ids in enumerate(found):
        series = [s for s in chart.series if s.query == n]
        assert [s.value for s in series if not s.other] == top
        for s in series:
            if s.other:
                members = [d for d in ids if not value_of(docs[d], by) & set(top)]
            else:
                members = [d for d in ids if s.value in value_of(docs[d], by)]
            expected = [
                sum(in_bucket(docs[d], b.start, b.end) for d in members) for b in chart.buckets
            ]
            assert list(s.counts) == expected, (n, s.value)


def test_shares_are_the_part_of_each_sources_stories_worked_out_by_hand(engine: Engine) -> None:
    chart = coverage(engine, "ferry", interval="month", by="source", measure="share")
    assert [b.start for b in chart.buckets] == [
        date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1)
    ]  # fmt: skip
    shares = {s.value: s.shares for s in chart.series if not s.other}
    assert shares["Big Daily"] == (2 / 4, 1 / 2, None)  # no story from it in May: no share
    assert shares["Island Post"] == (1 / 1, 1 / 2, None)
    assert shares["Cove Gazette"] == (None, 1.0, None)
    assert shares["Dune Times"] == (None, None, 1.0)
    other = next(s for s in chart.series if s.other)
    assert other.others == ("Fjord Weekly", "Gull Herald")
    assert other.shares == (None, None, 2 / 2)  # Gull Herald's 2024 story is off the axis
    whole = coverage(engine, "ferry", interval="month", measure="share").series[0]
    assert whole.shares == (3 / 5, 3 / 5, 4 / 4)
    assert whole.counts == (3, 3, 4) and whole.of == (5, 5, 4)


def test_shares_stay_between_0_and_1(engine: Engine) -> None:
    for by in (None, "source", "topic"):
        for interval in INTERVALS:
            chart = coverage(engine, "ferry", "strike", interval=interval, by=by, measure="share")
            for s in chart.series:
                assert s.of is not None
                assert all(c <= o for c, o in zip(s.counts, s.of, strict=True))
                assert all(0 <= x <= 1 for x in s.shares if x is not None)


def test_filters_apply_to_every_query_and_to_the_shares(engine: Engine) -> None:
    search = {"sources": ("Island Post",)}
    chart = coverage(engine, "ferry", "fair", interval="month", measure="share", search=search)
    assert [q.total for q in chart.queries] == [3, 1]
    assert chart.series[0].of == (1, 2)  # Island Post's stories only: March, April
    assert chart.series[0].shares == (1.0, 0.5)


def test_too_many_bars_take_a_longer_interval_with_a_notice(engine: Engine) -> None:
    chart = coverage(engine, "", interval="day")  # 2019-01-07 .. 2025-05-04: 2,310 days
    assert chart.interval == "week"
    assert chart.notices == ("By day the chart would have 2,310 bars; it is drawn by week.",)
    assert len(chart.buckets) == 330 <= MAX_BUCKETS
    chart = coverage(engine, "", interval="day", search={"date_from": date(2024, 11, 1)})
    assert chart.interval == "day" and not chart.notices and len(chart.buckets) == 166


def test_no_dated_match_draws_nothing(engine: Engine) -> None:
    chart = coverage(engine, "history")
    assert chart.queries[0].total == 1 and chart.queries[0].undated == 1
    assert chart.buckets == () and chart.series == ()


# --- each point leads to exactly its stories ----------------------------------------------------


@pytest.mark.parametrize("by", [None, "source", "topic"])
def test_every_point_links_to_a_search_that_finds_its_count(engine: Engine, by) -> None:
    chart = coverage(engine, "ferry", "strike OR storm", interval="week", by=by)
    checked = 0
    for s in chart.series:
        if by == "topic" and s.other:
            continue  # the other topics cannot be ticked: its points narrow to the days only
        for i, bucket in enumerate(chart.buckets):
            if not s.counts[i]:
                continue
            url = point_url("/search", chart, s, bucket)
            args = ArgList()
            for name, values in parse_qs(urlsplit(url).query).items():
                for value in values:
                    args.add(name, value)
            found = engine.search(parse_search_args(args), now=NOW)
            assert found.total == s.counts[i], url
            checked += 1
    assert checked >= 4


def test_a_topic_point_under_ticked_topics_asks_for_its_topic_in_the_query(engine: Engine) -> None:
    search = {"topics": ("transport", "labour")}
    chart = coverage(engine, "ferry", interval="month", by="topic", search=search)
    for s in chart.series:
        for i, bucket in enumerate(chart.buckets):
            if s.counts[i] and not s.other:
                url = point_url("/search", chart, s, bucket)
                args = ArgList()
                for name, values in parse_qs(urlsplit(url).query).items():
                    for value in values:
                        args.add(name, value)
                request = parse_search_args(args)
                assert request.topics == ("transport", "labour")
                assert engine.search(request, now=NOW).total == s.counts[i], url


# --- parameters, the API, CSV and the page ------------------------------------------------------


def test_parameters_are_parsed_and_checked() -> None:
    args = ArgList()
    pairs = [("q", "ferry"), ("q2", " strike "), ("q3", ""), ("by", "topic"),
             ("interval", "week"), ("measure", "share"), ("source", "Big Daily")]  # fmt: skip
    for name, value in pairs:
        args.add(name, value)
    request = parse_coverage_args(args)
    assert request.queries == ("ferry", "strike")
    assert (request.interval, request.by, request.measure) == ("week", "topic", "share")
    assert request.search.sources == ("Big Daily",)


@pytest.mark.parametrize(
    ("query", "param"),
    [("interval=fortnight", "interval"), ("by=author", "by"), ("measure=ratio", "measure"),
     ("from=2025-13-01", "from")],
)  # fmt: skip
def test_a_bad_parameter_is_a_400_naming_it(client, query: str, param: str) -> None:
    response = client.get(f"/api/coverage?{query}")
    assert response.status_code == 400
    assert response.get_json()["param"] == param
    assert client.get(f"/coverage?{query}").status_code == 400


def test_the_api_answers_the_chart_data(client) -> None:
    response = client.get("/api/coverage?q=ferry&q2=strike&by=source&measure=share&interval=month")
    assert response.status_code == 200  # and matches the OpenAPI document (the client checks)
    body = response.get_json()
    assert [q["q"] for q in body["queries"]] == ["ferry", "strike"]
    assert body["interval"] == "month" and body["by"] == "source"
    assert len(body["series"]) == 2 * (TOP_VALUES + 1)
    first = body["series"][0]
    assert len(first["counts"]) == len(first["urls"]) == len(body["buckets"])
    assert first["urls"][0].startswith("/api/search?")
    assert body["csv_url"].startswith("/api/coverage.csv?")


def test_the_csv_holds_a_line_per_series_and_bucket(client) -> None:
    response = client.get("/coverage.csv?q=ferry&q2=strike&by=source&interval=month")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    api = client.get("/api/coverage?q=ferry&q2=strike&by=source&interval=month").get_json()
    assert len(rows) == len(api["series"]) * len(api["buckets"])
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert sum(int(r["count"]) for r in rows if r["query"] == "1") == sum(
        sum(s["counts"]) for s in api["series"] if s["query"] == 0
    )
    assert {r["value"] for r in rows} >= {"Big Daily", "(other)"}


def test_the_page_draws_links_that_narrow_the_search(client) -> None:
    response = client.get("/coverage?q=ferry&interval=month")
    assert response.status_code == 200
    page = BeautifulSoup(response.data, "html.parser")
    bars = page.select("svg.coverage-chart a.cov-link")
    assert len(bars) == 3
    for bar in bars:
        url = urlsplit(bar["href"])
        assert url.path == "/search"
        state = parse_qs(url.query)
        assert state["q"] == ["ferry"] and state["from"] and state["to"]
        assert bar.select_one("rect.cov-bar") is not None
    labels = [t.get_text() for t in page.select("svg.coverage-chart text.tick-x")]
    assert labels == ["Mar 2025", "Apr 2025", "May 2025"]
    assert page.select_one("svg.coverage-chart .axis-title").get_text().startswith("month")
    assert page.select_one('a[href^="/coverage.csv?"]') is not None
    assert not page.select("[style]")


def test_the_page_escapes_the_queries_it_shows(client) -> None:
    response = client.get("/coverage?q=%3Cscript%3Ealert(1)%3C/script%3E+ferry&q2=%22%3E%3Csvg")
    assert b"<script>alert" not in response.data and b'"><svg' not in response.data
    assert b"&lt;script&gt;" in response.data


def test_several_queries_share_a_chart_and_a_breakdown_gives_a_panel_each(client) -> None:
    page = BeautifulSoup(client.get("/coverage?q=ferry&q2=strike").data, "html.parser")
    assert len(page.select("figure.coverage-panel")) == 1
    assert len(page.select(".coverage-legend li")) == 2
    assert page.select("path.cov-line")
    page = BeautifulSoup(client.get("/coverage?q=ferry&q2=strike&by=source").data, "html.parser")
    assert len(page.select("figure.coverage-panel")) == 2


def test_the_search_page_links_the_coverage_page(client) -> None:
    page = BeautifulSoup(client.get("/search?q=ferry&source=Big+Daily").data, "html.parser")
    link = page.select_one(".timeline a.coverage-link")
    assert urlsplit(link["href"]).path == "/coverage"
    assert parse_qs(urlsplit(link["href"]).query) == {"q": ["ferry"], "source": ["Big Daily"]}
