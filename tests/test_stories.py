"""Folding: teasers into the articles they link to (by URL key, then by title and source)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from search.ingest.stories import fold
from search.ingest.urls import is_web_url, url_key
from search.models import Page, RawStory
from tests.test_indexer import run_build, run_update, stored

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "tests" / "data" / "html"
SAMPLES = ROOT / "samples"
CRAWLED = datetime(2025, 10, 14, 12, 0)
DREDGER = "https://www.harbourgazette.example/news/2025/10/14/dredger-approved/"


def _article(title: str, url: str | None, body: str = "The board voted seven to two.") -> RawStory:
    return RawStory("article", title, "Harbour Gazette", datetime(2025, 10, 14, 9), "time", body,
                    url=url)  # fmt: skip


def _teaser(
    title: str, url: str | None, source: str = "Harbour Gazette", text: str = ""
) -> RawStory:
    return RawStory("teaser", title, source, None, None, text or f"{title}.", url=url)


def _page(name: str, article: RawStory | None, *teasers: RawStory) -> Page:
    return Page(f"/crawl/{name}", f"/crawl/{name}", CRAWLED, article, teasers)


@pytest.mark.parametrize(
    "link",
    [
        DREDGER,
        "http://harbourgazette.example/news/2025/10/14/dredger-approved",
        "https://WWW.HarbourGazette.example:443/news/2025/10/14/dredger-approved/#comments",
        DREDGER + "?utm_source=rss&utm_medium=feed&fbclid=abc",
    ],
)
def test_url_keys_ignore_scheme_www_trackers_fragment_and_trailing_slash(link: str) -> None:
    assert url_key(link) == "harbourgazette.example/news/2025/10/14/dredger-approved"


def test_url_keys_keep_the_parameters_that_name_the_page() -> None:
    assert url_key("https://x.example/story?id=7&utm_campaign=z") == "x.example/story?id=7"
    assert url_key("https://x.example/story?id=7") != url_key("https://x.example/story?id=8")
    assert url_key("https://x.example/story?b=2&a=1") == url_key("https://x.example/story?a=1&b=2")


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "mailto:desk@x.example", "/relative/path", "", None, "http://"]
)
def test_only_http_urls_have_keys_or_become_links(link: str | None) -> None:
    assert url_key(link) is None
    assert not is_web_url(link)


def test_feed_items_and_rail_teasers_fold_into_the_article_they_link_to() -> None:
    article = _page("dredger.html", _article("Harbour board backs new dredger", DREDGER))
    feed = _page(
        "gazette.rss",
        None,
        # another headline and source than the article's: only the link says they are one story
        _teaser("Dredger approved", DREDGER + "?utm_source=rss&utm_medium=feed", "Gazette – Port",
                "The harbour board approved a new dredger for the north channel on Tuesday."),
        _teaser("Ferry fares frozen", "https://ferries.example/fares"),
    )  # fmt: skip
    other = _page(
        "tide.html",
        _article("Tide gauge replaced", "https://harbourgazette.example/news/tide-gauge"),
        _teaser(
            "Dredger approved", "http://harbourgazette.example/news/2025/10/14/dredger-approved"
        ),
        _teaser("Fares frozen", "http://www.ferries.example/fares/?utm_source=gazette"),
    )
    result = fold([article, feed, other])
    by_title = {s.title: s for s in result.stories}
    assert set(by_title) == {
        "Harbour board backs new dredger",
        "Ferry fares frozen",
        "Tide gauge replaced",
    }
    dredger = by_title["Harbour board backs new dredger"]
    assert dredger.kind == "article" and dredger.body == "The board voted seven to two."
    assert dredger.teaser.startswith("The harbour board approved a new dredger")  # kept
    assert dredger.pages == ("/crawl/dredger.html", "/crawl/gazette.rss", "/crawl/tide.html")
    assert dredger.url == DREDGER  # the canonical form as found, not the key
    # the rail of the tide page names the article, not a teaser of it
    # links outside the corpus: stays a teaser, one however each page named it
    ferry = by_title["Ferry fares frozen"]
    assert ferry.kind == "teaser" and ferry.url == "https://ferries.example/fares"
    assert ferry.pages == ("/crawl/gazette.rss", "/crawl/tide.html")
    assert by_title["Tide gauge replaced"].related == (dredger.id, ferry.id)
    assert result.duplicates == 3
    assert fold([other, feed, article]).stories == result.stories  # whatever the order


def test_without_a_link_teasers_still_fold_by_title_and_source() -> None:
    article = _page("dredger.html", _article("Harbour board backs new dredger", DREDGER))
    rail = _page("x.html", None, _teaser("Harbour board backs new dredger", None))
    (story,) = fold([article, rail]).stories
    assert story.kind == "article" and len(story.pages) == 2
    # an article saved without its address takes the link of a teaser of the same headline
    unlinked = _page("saved.html", _article("Harbour board backs new dredger", None))
    linked = _page("y.html", None, _teaser("Harbour board backs new dredger", DREDGER))
    (story,) = fold([unlinked, linked]).stories
    assert story.kind == "article" and story.url == DREDGER


def _feed_linking(tmp_path: Path, bridge: str, ferry: str) -> Path:
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    for name in ("031_kessel-bridge.html", "032_islandlink-ferry-fares.html"):
        shutil.copy(SAMPLES / name, crawl / name)
    rss = (HTML / "aldine-post.rss").read_text(encoding="utf-8")
    rss = rss.replace(
        "<link>https://www.aldinepost.example/news/transport/2025/10/14/kessel-junction-bridge-closure",
        f"<link>{bridge}",
    ).replace(
        "<link>https://www.aldinepost.example/news/transport/2025/10/13/islandlink-ferry-fares-winter",
        f"<link>{ferry}",
    )
    (crawl / "aldine-post.rss").write_text(rss, encoding="utf-8")
    return crawl


def test_a_build_folds_feed_items_and_rail_teasers_by_url_and_update_agrees(tmp_path: Path) -> None:
    crawl = _feed_linking(
        tmp_path,
        "http://aldinepost.example/news/transport/2025/10/14/kessel-junction-bridge-closure/"
        "?utm_source=rss&amp;utm_medium=feed",
        "https://aldinepost.example/news/transport/2025/10/13/islandlink-ferry-fares-winter#top",
    )
    report = run_build([crawl], tmp_path / "ix", crawled_at=CRAWLED)
    assert report.published, str(report.to_json())
    built = stored(tmp_path / "ix")
    docs = {d["title"]: d for d in built.values()}
    bridge = docs["Kessel Junction rail bridge to close for six weeks of repairs"]
    assert bridge["kind"] == "article"
    assert bridge["url"] == (
        "https://www.aldinepost.example/news/transport/2025/10/14/kessel-junction-bridge-closure"
    )
    assert bridge["teaser"].startswith("The 1911 bridge over the Venn")  # the feed item's text
    assert any(p.endswith("aldine-post.rss") for p in bridge["pages"])
    ferry = next(d for d in docs.values() if d["url"] and "islandlink" in d["url"])
    assert ferry["kind"] == "article" and len(ferry["pages"]) == 3  # own page, rail, feed
    assert ferry["id"] in bridge["related"]  # the bridge page's rail names the article
    tram = docs["Tram line extension to the Old Quarter approved"]
    assert tram["kind"] == "teaser"  # its article is not in the crawl
    # an update that reads nothing again folds the same way, from the manifest's pages
    (crawl / "notes.txt").write_text("", encoding="utf-8")
    run_update([crawl], tmp_path / "ix", crawled_at=CRAWLED)
    again = {i: (d["kind"], d.get("url"), d["pages"]) for i, d in stored(tmp_path / "ix").items()}
    assert again == {i: (d["kind"], d.get("url"), d["pages"]) for i, d in built.items()}


def test_an_update_rereads_a_warc_that_grew_and_folds_the_feed_into_its_new_page(
    tmp_path: Path,
) -> None:
    from tests.test_reader_warc import synth

    crawl = tmp_path / "crawl"
    crawl.mkdir()
    shutil.copy(HTML / "aldine-post.rss", crawl / "aldine-post.rss")
    pages = dict(synth.sample_pages(SAMPLES))
    ferry_url = next(url for url in pages if "islandlink" in url)
    bridge_url = next(url for url in pages if "kessel" in url)
    warc = crawl / "crawl.warc.gz"
    with warc.open("wb") as out:
        synth.Archive(out).page(bridge_url, pages[bridge_url])
    run_build([crawl], tmp_path / "ix", crawled_at=CRAWLED)
    ferry = [d for d in stored(tmp_path / "ix").values() if d.get("url") == ferry_url]
    # the feed's item and the bridge page's rail teaser (each with its own headline and
    # source) are one teaser while the article is not in the corpus
    assert [(d["kind"], len(d["pages"])) for d in ferry] == [("teaser", 2)]

    with warc.open("ab") as out:  # the crawler appends a record: the archive grows
        synth.Archive(out).page(ferry_url, pages[ferry_url])
    report = run_update([crawl], tmp_path / "ix", crawled_at=CRAWLED)
    assert (report.files_read, report.files_unchanged) == (1, 1)
    updated = stored(tmp_path / "ix")
    (ferry,) = [d for d in updated.values() if d.get("url") == ferry_url]
    assert ferry["kind"] == "article"  # the feed item folded into the page read now
    # with the bridge page's rail teaser: one story before, one story now
    assert ferry["pages"] == sorted([str(crawl / "aldine-post.rss"), bridge_url, ferry_url])
    run_build([crawl], tmp_path / "fresh", crawled_at=CRAWLED)
    assert updated.keys() == stored(tmp_path / "fresh").keys()
