"""The feed reader (RSS 2.0 and Atom feeds linking to the fictional pages), and one build over a
folder that mixes HTML pages, a WARC, a feed and an aggregator page."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from search.errors import SkippedFile
from search.indexing import indexer
from search.indexing.generations import IndexDir
from search.indexing.schema import INDEX_NAME
from search.ingest.topics import Taxonomy
from search.readers import read_file
from tests.conftest import FERRY, page

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "html"
CRAWLED = datetime(2025, 10, 14, 12, 0)
HERALD = "https://www.aldinepost.example"


def test_rss_items_are_teasers() -> None:
    result = read_file(DATA / "aldine-post.rss", CRAWLED)
    assert result.problems == []
    (feed_page,) = result.pages
    assert feed_page.article is None
    assert feed_page.location == str(DATA / "aldine-post.rss")
    teasers = feed_page.teasers
    assert [t.kind for t in teasers] == ["teaser"] * 4
    bridge = teasers[0]
    assert bridge.title == "Kessel Junction rail bridge to close for six weeks of repairs"
    assert bridge.source == "Aldine Post – Transport"  # the feed's title
    assert bridge.url == f"{HERALD}/news/transport/2025/10/14/kessel-junction-bridge-closure"
    assert (bridge.published, bridge.precision) == (datetime(2025, 10, 14, 6, 45), "time")
    # markup removed, paragraphs kept apart, the image dropped
    assert bridge.body == (
        "The 1911 bridge over the Venn will shut from 3 November while engineers replace "
        "corroded girders."
    )
    ferry = teasers[1]
    assert (ferry.published, ferry.precision) == (datetime(2025, 10, 13), "day")  # midnight
    assert "summer’s level" in ferry.body
    frost = teasers[2]
    assert frost.source == "Valley Courier"  # the item's <source>
    tram = teasers[3]
    assert tram.url == f"{HERALD}/news/transport/2025/10/09/tram-line-extension-approved"
    assert (tram.published, tram.precision) == (datetime(2025, 10, 9, 13, 30), "time")
    assert "&" in tram.body and "&amp;" not in tram.body


def test_atom_entries_are_teasers() -> None:
    (feed_page,) = read_file(DATA / "valley-courier.atom", CRAWLED).pages
    frost, cider = feed_page.teasers
    assert frost.title == "Early frost hits Carrow Hills orchards"  # <em> removed
    assert frost.source == "Valley Courier"
    assert frost.url == "https://www.valleycourier.example/2025/10/14/frost-hits-carrow-orchards/"
    assert (frost.published, frost.precision) == (datetime(2025, 10, 14, 5, 10), "time")
    assert frost.body.startswith("Growers fear a third of the late apple crop")
    assert (cider.published, cider.precision) == (datetime(2025, 9, 30), "day")  # <updated>


def test_feed_recognised_by_content_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    shutil.copy(DATA / "valley-courier.atom", path)
    assert len(read_file(path, CRAWLED).pages[0].teasers) == 2


def test_feed_that_is_not_well_formed_keeps_what_it_can(tmp_path: Path) -> None:
    text = (DATA / "aldine-post.rss").read_text(encoding="utf-8")
    path = tmp_path / "broken.rss"
    path.write_text(
        text.replace(
            "</title>\n    <link>https://www.valleycourier", "\n<link>https://www.valleycourier", 1
        ),
        encoding="utf-8",
    )
    result = read_file(path, CRAWLED)
    assert result.problems[0].startswith(f"{path}: not well-formed XML at line ")
    assert "items read leniently" in result.problems[0]
    assert result.pages[0].teasers


def test_feed_with_nothing_readable_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "broken.rss"
    path.write_text(
        '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</ti', encoding="utf-8"
    )
    with pytest.raises(SkippedFile) as caught:
        read_file(path, CRAWLED)
    assert caught.value.reason in ("not well-formed feed", "no items")


# --- one build over every kind of input -----------------------------------------------------


def test_build_over_html_warc_feed_and_aggregator_pages(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    shutil.copy(DATA / "aldine-post.rss", crawl / "aldine-post.rss")
    for name in ("031_kessel-bridge.html", "032_islandlink-ferry-fares.html"):
        shutil.copy(ROOT / "samples" / name, crawl / name)
    shutil.copy(ROOT / "samples" / "035_crawl.warc.gz", crawl / "crawl.warc.gz")
    (crawl / "aggregator.txt").write_text(
        page("Harbour board backs new dredger", "Aldine Post", "14-10-2025",
             ["The harbour board approved a new dredger for the north channel."], [FERRY]),
        encoding="utf-8",
    )  # fmt: skip
    (crawl / "notes.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    report = indexer.build(
        [crawl],
        tmp_path / "ix",
        taxonomy=Taxonomy.default(),
        crawled_at=CRAWLED,
        progress=False,
    )
    assert report.files_seen == 6
    assert report.skip_counts == {"binary": 1}
    assert any("records skipped (redirect)" in p for p in report.problems)
    ix = whoosh_index.open_dir(str(IndexDir(tmp_path / "ix").current().path), indexname=INDEX_NAME)
    with ix.searcher() as searcher:
        stored = list(searcher.all_stored_fields())
    titles = {(d["title"], d["kind"]) for d in stored}
    assert ("Kessel Junction rail bridge to close for six weeks of repairs", "article") in titles
    assert ("Early frost hits Carrow Hills orchards", "article") in titles  # from the WARC
    assert ("Harbour board backs new dredger", "article") in titles  # the aggregator page
    assert ("Tram line extension to the Old Quarter approved", "teaser") in titles  # the feed
    # The same article in a file and in the WARC, with the same source and title, is one story
    bridge = [d for d in stored if d["title"].startswith("Kessel Junction rail bridge")]
    assert len([d for d in bridge if d["kind"] == "article"]) == 1
