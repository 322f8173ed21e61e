"""Every match of a search as a file (``/search.csv``, ``/search.jsonl``, the same under
``/api``, ``newsdex search --all``) and the newest as an Atom feed (``/search.atom``)."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from search.cli import cli
from search.interface.export import COLUMNS
from web.exports import FEED_SIZE


@pytest.fixture
def client(samples_app):
    return samples_app.test_client()


def total(client, query: str) -> int:
    return client.get(f"/api/search?{query}").get_json()["total"]


def csv_rows(response) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(response.get_data(as_text=True), newline=""))
    assert reader.fieldnames == list(COLUMNS)
    return list(reader)


@pytest.mark.parametrize("query", ["q=harbour", "", "q=harbour&source=Harbour+Herald&sort=oldest"])
@pytest.mark.parametrize("prefix", ["", "/api"])
def test_the_csv_holds_every_match_in_the_search_order(client, query: str, prefix: str) -> None:
    response = client.get(f"{prefix}/search.csv?{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    rows = csv_rows(response)
    expected = total(client, query)
    assert len(rows) == expected == int(response.headers["X-Total-Count"]) > 1
    hits = client.get(f"/api/search?{query}&per_page=100").get_json()["hits"]
    assert [r["id"] for r in rows] == [h["id"] for h in hits]
    first, hit = rows[0], hits[0]
    for name in ("title", "source", "kind", "published", "date_precision"):
        assert first[name] == hit[name], name
    assert first["topics"].split("; ") == hit["topics"]
    assert first["pages"].split("; ") == hit["pages"]
    assert first["cluster"] == ""
    assert first["snippet"] and "<" not in first["snippet"]


@pytest.mark.parametrize("prefix", ["", "/api"])
def test_json_lines_hold_every_match(client, prefix: str) -> None:
    response = client.get(f"{prefix}/search.jsonl?q=harbour")
    assert response.mimetype == "application/x-ndjson"
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == total(client, "q=harbour")
    records = [json.loads(line) for line in lines]
    assert all(list(r) == list(COLUMNS) for r in records)
    assert all(isinstance(r["topics"], list) and r["cluster"] is None for r in records)


def test_markup_and_separators_stay_text_in_the_csv(client) -> None:
    rows = csv_rows(client.get("/search.csv?q=quillfeather"))
    assert rows[0]["title"].startswith("Quillfeather fixes bug that let <script>alert(1)</script>")


def test_a_download_left_unfinished_lets_go_of_the_engine(samples_app) -> None:
    import threading

    client = samples_app.test_client()
    response = client.get("/search.jsonl", buffered=False)
    first = next(iter(response.response))
    assert json.loads(first)["id"]
    engine = samples_app.extensions["newsdex_engine"]
    taken: list[bool] = []

    def other_request() -> None:  # another thread: the engine's lock is re-entrant
        taken.append(engine._lock.acquire(timeout=0.2))
        if taken[-1]:
            engine._lock.release()

    thread = threading.Thread(target=other_request)
    thread.start()
    thread.join()
    assert taken == [False], "the engine is held while the download runs"
    response.close()  # the client went away
    thread = threading.Thread(target=other_request)
    thread.start()
    thread.join()
    assert taken == [False, True]


def test_no_match_is_a_header_line_only(client) -> None:
    response = client.get("/search.csv?q=zzzzqqq")
    assert response.get_data(as_text=True) == ",".join(COLUMNS) + "\r\n"
    assert client.get("/search.jsonl?q=zzzzqqq").get_data() == b""


def test_a_bad_parameter_is_a_400_before_any_file(client) -> None:
    response = client.get("/api/search.csv?from=yesterday")
    assert response.status_code == 400 and response.get_json()["param"] == "from"
    assert client.get("/search.csv?sort=random").status_code == 400


def test_the_search_page_offers_the_download_of_the_current_search(client) -> None:
    page = BeautifulSoup(
        client.get("/search?q=harbour&source=Harbour+Herald&page=2&per_page=3").data, "html.parser"
    )
    link = page.select_one("a.download-csv")
    url = urlsplit(link["href"])
    assert url.path == "/search.csv"
    assert parse_qs(url.query) == {"q": ["harbour"], "source": ["Harbour Herald"]}
    assert link.has_attr("download")
    assert urlsplit(page.select_one("a.download-jsonl")["href"]).path == "/search.jsonl"


def test_the_cli_writes_every_match(samples_index, client) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["search", "harbour", "--index", str(samples_index), "--all", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert [r["id"] for r in rows] == [
        r["id"] for r in csv_rows(client.get("/search.csv?q=harbour"))
    ]
    result = runner.invoke(
        cli, ["search", "--index", str(samples_index), "--all", "--format", "jsonl"]
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == total(client, "")


@pytest.mark.corpus
def test_the_csv_of_a_reuters_query_has_exactly_total_rows(reuters_index) -> None:
    from tests.conftest import close_engine, make_app

    app = make_app(reuters_index)
    try:
        client = app.test_client()
        for query in ("q=coffee+quota", "q=oil&from=1987-03-01&to=1987-03-31", "q=bank+OR+banks"):
            expected = total(client, query)
            rows = csv_rows(client.get(f"/api/search.csv?{query}"))
            assert len(rows) == expected > 10, query
            assert len({r["id"] for r in rows}) == expected
    finally:
        close_engine(app)


# --- the feed -------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["q=harbour", "", "q=storm+orla", "q=zzzzqqq"])
def test_the_feed_is_valid_atom_with_the_newest_matches(client, query: str) -> None:
    response = client.get(f"/search.atom?{query}")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    expected = total(client, query)
    assert len(feed.entries) == min(FEED_SIZE, expected)
    newest = client.get(f"/api/search?{query}&sort=newest&per_page=50").get_json()["hits"]
    assert [e.id for e in feed.entries] == [f"urn:newsdex:story:{h['id']}" for h in newest]
    for entry, hit in zip(feed.entries, newest, strict=True):
        assert entry.title == hit["title"]
        assert entry.updated.startswith(hit["published"][:19])
        assert urlsplit(entry.link).path == f"/story/{hit['id']}"
        if hit["snippets"]:
            assert entry.summary and "<" not in entry.summary
        else:
            assert "summary" not in entry


def test_feed_entries_keep_their_ids_and_markup_stays_text(client) -> None:
    first = feedparser.parse(client.get("/search.atom?q=quillfeather").data)
    again = feedparser.parse(client.get("/search.atom?q=quillfeather&page=3&sort=oldest").data)
    assert [e.id for e in first.entries] == [e.id for e in again.entries]
    assert first.feed.id == again.feed.id
    assert first.entries[0].title.startswith("Quillfeather fixes bug that let <script>")


def test_the_search_page_advertises_its_feed(client) -> None:
    page = BeautifulSoup(client.get("/search?q=harbour&sort=newest").data, "html.parser")
    link = page.select_one('head link[rel="alternate"][type="application/atom+xml"]')
    assert link is not None
    url = urlsplit(link["href"])
    # the feed is newest first whatever the page's order
    assert url.path == "/search.atom" and parse_qs(url.query) == {"q": ["harbour"]}
    assert client.get(link["href"]).status_code == 200
    assert page.select_one("a.feed-link")["href"] == link["href"]
