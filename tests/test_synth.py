"""The synthetic-crawl generator in ``bench/synth.py``: layout, determinism, shared teasers."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.bench_modules import load

STORIES = 150  # about 22 pages: enough for teasers to repeat and fold, well under a second
TAIL = (
    "DOWNLOAD THE APP\n\nGet Started Now: Download the App\n\nReady to dive into a world of "
    "global content with local flavor? Download Daily8 app today from your preferred app store "
    "and start exploring.\napp-storeplay-store"
)
"""The app advert that ends the founding page, byte for byte (no final newline)."""
DATE_LINE = re.compile(r"(?P<source>.+?)(?P<date>\d{2}-\d{2}-\d{4})")


@pytest.fixture(scope="module")
def synth():
    return load("synth")


def corpus_bytes(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*.txt")}


def parse(text: str) -> tuple[tuple[str, str], str, list[tuple[str, str]]]:
    """(title, source) of the article, its date, and (title, source) of each teaser."""
    lines = text.split("\n")
    assert lines[:5] == ["logo", lines[1], "", lines[1], ""]
    match = DATE_LINE.fullmatch(lines[5])
    assert match, lines[5]
    teasers = []
    for index, line in enumerate(lines):
        if line.startswith("time") and line.endswith(" ago"):
            title, source = lines[index - 4], lines[index - 2]
            assert lines[index - 5] == title
            assert lines[index + 2] == f"  • {source}"
            assert lines[index + 4] == title
            assert lines[index + 6]  # the teaser text, on one line
            teasers.append((title, source))
    return (lines[1], match["source"]), match["date"], teasers


def test_generates_aggregator_pages(synth, tmp_path):
    summary = synth.generate(tmp_path, STORIES, seed=7)
    files = sorted(tmp_path.rglob("*.txt"))
    assert len(files) == summary.pages > 10
    assert summary.bytes == sum(path.stat().st_size for path in files)
    seen: Counter[tuple[str, str]] = Counter()
    articles = set()
    for path in files:
        assert re.fullmatch(r"\d{3}/\d{6}_[0-9a-f]{16}\.txt", path.relative_to(tmp_path).as_posix())
        text = path.read_text(encoding="utf-8")
        assert "\nOrange background\n\nTry Our AI Features\n" in text
        assert text.endswith(TAIL)
        article, date, teasers = parse(text)
        assert article[1] in synth.SOURCES
        published = datetime.strptime(date, "%d-%m-%Y")
        assert datetime(2024, 1, 1) <= published < datetime(2026, 1, 1)
        assert len(teasers) <= 5
        articles.add(article)
        seen.update(teasers)
    assert len(articles) == summary.pages  # headline + source is unique per story
    assert max(seen.values()) > 1  # the same teaser on several pages
    assert articles & set(seen)  # some teasers fold into an article of the corpus
    assert len(set(seen) - articles) == summary.teaser_only
    assert summary.stories == len(articles | set(seen))


def test_same_seed_same_bytes(synth, tmp_path):
    synth.generate(tmp_path / "a", STORIES, seed=3)
    synth.generate(tmp_path / "b", STORIES, seed=3)
    synth.generate(tmp_path / "c", STORIES, seed=4)
    first = corpus_bytes(tmp_path / "a")
    assert first == corpus_bytes(tmp_path / "b")
    assert first != corpus_bytes(tmp_path / "c")


def test_mtime_is_the_crawl_time(synth, tmp_path):
    """Relative ages resolve against the file's mtime, so it falls after the page's date."""
    synth.generate(tmp_path, STORIES, seed=1)
    stamps = []
    for path in sorted(tmp_path.rglob("*.txt")):
        _, date, _ = parse(path.read_text(encoding="utf-8"))
        crawled = path.stat().st_mtime
        day = datetime.strptime(date, "%d-%m-%Y").replace(tzinfo=UTC)
        assert day.timestamp() <= crawled < (day + timedelta(days=4)).timestamp()
        stamps.append(crawled)
    assert stamps == sorted(stamps)


def test_works_without_the_shared_corpus(synth, tmp_path, monkeypatch):
    monkeypatch.setattr(synth, "REUTERS", tmp_path / "absent")
    summary = synth.generate(tmp_path / "out", STORIES, seed=2)
    assert summary.vocabulary == "the built-in fallback text"
    assert len(list((tmp_path / "out").rglob("*.txt"))) == summary.pages


def test_command_line(synth, tmp_path, capsys):
    assert synth.main([str(tmp_path / "out"), "--stories", "60", "--seed", "5"]) == 0
    summary = capsys.readouterr().out
    assert re.search(r"^\d+ pages in 1 folders under ", summary, re.M)
    assert re.search(r"^\d+ distinct stories: ", summary, re.M)
    assert re.search(r"MB of text in [\d.]+ s", summary)
    with pytest.raises(SystemExit):  # never mixes a new corpus with an old one
        synth.main([str(tmp_path / "out"), "--stories", "60"])


@pytest.mark.parametrize("age, text", [
    (0.5, "a minute ago"), (45, "45 minutes ago"), (60, "an hour ago"), (150, "2 hours ago"),
    (60 * 30, "a day ago"), (60 * 24 * 3, "3 days ago"), (60 * 24 * 20, "2 weeks ago"),
])  # fmt: skip
def test_age_text(synth, age, text):
    assert synth.age_text(timedelta(minutes=age)) == text
