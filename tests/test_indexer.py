"""Build and update through the real indexer, read back through Whoosh."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.qparser import QueryParser

from search.errors import IndexBusy
from search.indexing import indexer, writers
from search.indexing.generations import IndexDir
from search.indexing.whoosh_private.pool import PackedPostings
from search.ingest.topics import Taxonomy
from tests.bench_modules import load
from tests.conftest import CRAWLED, DAM, FERRY, page


def stored(index: Path) -> dict[str, dict]:
    gen = IndexDir(index).current()
    ix = whoosh_index.open_dir(str(gen.path), indexname="MAIN")
    with ix.searcher() as s:
        return {d["id"]: d for d in s.documents()}


def search_ids(index: Path, text: str, field: str = "body") -> set[str]:
    gen = IndexDir(index).current()
    ix = whoosh_index.open_dir(str(gen.path), indexname="MAIN")
    with ix.searcher() as s:
        q = QueryParser(field, ix.schema).parse(text)
        return {hit["id"] for hit in s.search(q, limit=None)}


def run_build(paths, index, **kw):
    kw.setdefault("taxonomy", Taxonomy.default())
    kw.setdefault("crawled_at", CRAWLED)
    kw.setdefault("progress", False)
    return indexer.build(paths, index, **kw)


def run_update(paths, index, **kw):
    kw.setdefault("taxonomy", Taxonomy.default())
    kw.setdefault("crawled_at", CRAWLED)
    kw.setdefault("progress", False)
    return indexer.update(paths, index, **kw)


def test_one_document_per_story_and_teasers_fold_into_articles(built_index):
    docs = stored(built_index)
    by_title = {d["title"]: d for d in docs.values()}
    assert len(docs) == 4  # three articles and the dam teaser
    ferry = by_title[FERRY[0]]
    assert ferry["kind"] == "article"
    assert "Season tickets" in ferry["body"]
    assert ferry["teaser"] == FERRY[3]
    assert len(ferry["pages"]) == 3  # its own page and the two pages that showed the teaser
    dam = by_title[DAM[0]]
    assert dam["kind"] == "teaser" and dam["precision"] == "approximate"
    mayor = by_title["Mayor of Eskvale resigns over budget row"]
    assert mayor["related"] == [ferry["id"], dam["id"]]
    assert all(d["topics"] for d in docs.values())


def test_report_counts_duplicates(tmp_path, pages_dir):
    report = run_build([pages_dir], tmp_path / "ix")
    assert (report.files_read, report.stories, report.duplicates) == (3, 4, 2)
    assert report.kinds == {"article": 3, "teaser": 1}


def test_packed_postings_come_out_in_whoosh_pool_order():
    # documents are added in docnum order; within one, fields and terms come in any order
    items = [
        ("title", b"ferry", 0, 3.0, b"\x01"),
        ("body", b"ferry", 0, 2.0, b"\x02\x03"),
        ("body", b"council", 0, 1.0, b""),
        ("id", b"a1", 0, 1.0, None),
        ("body", b"ferry", 1, 1.0, b"\x04"),
        ("body", b"arbour", 1, 1.0, b"\x05"),
        ("id", b"a0", 1, 1.0, None),
        ("title", b"ferry", 2, 1.5, b"\x06" * 300),
        ("body", b"council", 2, 4.0, b""),
    ]
    pool = PackedPostings()
    for item in items:
        pool.add(item)
    assert pool.size > 0
    assert list(pool.iter_postings()) == sorted(items)
    assert pool.size == 0 and not pool.fields


def test_a_writer_past_its_memory_starts_new_segments(tmp_path, pages_dir, monkeypatch):
    whole = tmp_path / "whole"
    run_build([pages_dir], whole)
    monkeypatch.setattr(writers, "WRITER_MEMORY_MB", 0)  # a new segment after every story
    split = tmp_path / "split"
    run_build([pages_dir], split)
    ix = whoosh_index.open_dir(str(IndexDir(split).current().path), indexname="MAIN")
    assert len(ix._segments()) == 4
    assert stored(split) == stored(whole)
    for word, field in (("ferry", "body"), ("keepers", "body"), ("dam", "teaser")):
        assert search_ids(split, word, field) == search_ids(whole, word, field) != set()
    assert not list(IndexDir(split).current().path.glob("stories-*"))


def test_bad_files_are_named_with_their_reason_and_the_rest_indexed(tmp_path, pages_dir):
    (pages_dir / "empty.txt").write_bytes(b"")
    (pages_dir / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\0\x10JFIF\0" * 20)
    (pages_dir / "mangled.txt").write_bytes(b"logo\nTitle\n\x81\x8d\x90\x9d\xc3(\n")
    (pages_dir / "notes.md").write_text("# shopping list\n\n- eggs\n")
    report = run_build([pages_dir], tmp_path / "ix")
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert reasons == {
        "empty.txt": "empty",
        "photo.jpg": "binary",
        "mangled.txt": "undecodable",
        "notes.md": "unrecognised format",
    }
    assert report.published and report.stories == 4


def test_links_to_nothing_and_fifos_are_unreadable_and_the_rest_indexed(tmp_path, pages_dir):
    # Tests run as root, so permissions cannot make a file unreadable: a dangling link and a
    # FIFO (which would block a reader that opened it) can.
    (pages_dir / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    os.mkfifo(pages_dir / "pipe.txt")
    report = run_build([pages_dir], tmp_path / "ix")
    skipped = {s.path: (s.reason, s.detail) for s in report.skipped}
    assert skipped == {
        str(pages_dir / "gone.txt"): ("unreadable", "No such file or directory"),
        str(pages_dir / "pipe.txt"): ("unreadable", "not a regular file"),
    }
    assert report.published and report.stories == 4


def test_a_linked_page_is_read_under_its_real_name(tmp_path, pages_dir):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (pages_dir / "c.txt").rename(elsewhere / "c.txt")
    (pages_dir / "c-link.txt").symlink_to(elsewhere / "c.txt")
    report = run_build([pages_dir], tmp_path / "ix")
    assert not report.skipped and report.stories == 4
    ferry = next(d for d in stored(tmp_path / "ix").values() if d["title"] == FERRY[0])
    assert str(elsewhere / "c.txt") in ferry["pages"]


def test_strict_build_leaves_the_live_index_alone(tmp_path, pages_dir):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    (pages_dir / "empty.txt").write_bytes(b"")
    report = run_build([pages_dir], index, strict=True)
    assert not report.published
    assert IndexDir(index).current().name == "gen-000001"


def test_update_equals_rebuild(tmp_path, pages_dir):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    # the ferry article's page goes away: the ferry story falls back to its teaser;
    # a new page arrives and an old one changes
    (pages_dir / "c.txt").unlink()
    (pages_dir / "d.txt").write_text(
        page(
            "Dam repairs to start in autumn",
            "Valley Courier",
            "20-05-2025",
            ["Repairs to the Eskvale dam will start in September, the water board said."],
            [DAM],
        )
    )
    (pages_dir / "b.txt").write_text(
        page(
            "Lighthouse keepers end strike",
            "Harbour Herald",
            "05-04-2025",
            ["Keepers returned to work after a pay deal."],
            [FERRY],
        )
    )
    report = run_update([pages_dir], index)
    assert report.published and report.files_read == 2 and report.files_removed == 1
    fresh = tmp_path / "fresh"
    run_build([pages_dir], fresh)
    assert stored(index) == stored(fresh)
    assert search_ids(index, "dam") == search_ids(fresh, "dam") != set()
    assert (
        stored(index)[next(i for i, d in stored(fresh).items() if d["title"] == FERRY[0])]["kind"]
        == "teaser"
    )


def test_update_that_only_removes_stories(tmp_path, pages_dir):
    index = tmp_path / "ix"
    (pages_dir / "e.txt").write_text(
        page("Tide tables reprinted", "Harbour Herald", "01-05-2025", ["A new edition is out."])
    )
    run_build([pages_dir], index)
    (pages_dir / "e.txt").unlink()
    report = run_update([pages_dir], index)
    assert report.published and (report.written, report.deleted) == (0, 1)
    fresh = tmp_path / "fresh"
    run_build([pages_dir], fresh)
    assert stored(index) == stored(fresh)


def test_update_with_nothing_changed_keeps_the_generation(tmp_path, pages_dir):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    report = run_update([pages_dir], index)
    assert not report.published and report.generation == "gen-000001"
    assert report.files_unchanged == 3


def test_a_second_writer_is_refused(tmp_path, pages_dir):
    index = tmp_path / "ix"
    with IndexDir(index).writing(), pytest.raises(IndexBusy, match="another build"):
        run_build([pages_dir], index)


def test_old_generations_are_cleaned_unless_a_reader_holds_them(tmp_path, pages_dir):
    from search.indexing.generations import hold_current

    index = tmp_path / "ix"
    run_build([pages_dir], index)
    held = hold_current(IndexDir(index))
    for _ in range(3):
        run_build([pages_dir], index)
    names = [g.name for g in IndexDir(index).generations()]
    assert names == ["gen-000001", "gen-000003", "gen-000004"]  # held, previous, live
    held.close()
    run_build([pages_dir], index)
    assert [g.name for g in IndexDir(index).generations()] == ["gen-000004", "gen-000005"]


def _synth(tmp_path: Path, stories: int) -> Path:
    out = tmp_path / "synth"
    load("synth").generate(out, stories, seed=7)
    return out


@pytest.mark.slow
def test_a_killed_build_leaves_the_old_index_live(tmp_path, pages_dir):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    before = stored(index)
    corpus = _synth(tmp_path, 6000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "search", "build", str(corpus), "--index", str(index), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list(index.glob("gen-000002.partial/*.seg")) and not list(
        index.glob("gen-000002.partial/*_*")
    ):
        assert proc.poll() is None, "the build ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert IndexDir(index).current().name == "gen-000001"
    assert stored(index) == before
    # the next build clears the dead one away and succeeds
    report = run_build([pages_dir], index)
    assert report.published
    assert not list(index.glob("*.partial"))


def test_date_ranges_are_exact(built_index):
    from datetime import datetime

    from whoosh.query import DateRange

    ix = whoosh_index.open_dir(str(IndexDir(built_index).current().path), indexname="MAIN")
    with ix.searcher() as s:
        march_april = DateRange("published", datetime(2025, 3, 14), datetime(2025, 4, 2))
        titles = {h["title"] for h in s.search(march_april, limit=None)}
    assert titles == {
        "Mayor of Eskvale resigns over budget row",
        "Lighthouse keepers strike for better pay",
    }


def test_index_folders_inside_the_input_are_not_read(tmp_path, pages_dir):
    # this index, before its first generation exists (only writer.lock), and after
    own = pages_dir / "index"
    report = run_build([pages_dir], own)
    assert report.files_seen == 3 and not report.skipped
    assert run_build([pages_dir], own).files_seen == 3
    # another index that happens to sit in the input, recognised by its layout
    other = tmp_path / "elsewhere"
    run_build([pages_dir], other)
    os.rename(other, pages_dir / "old-index")
    report = run_build([pages_dir], tmp_path / "ix")
    assert report.files_seen == 3 and not report.skipped
    # and a generation folder given as input on its own
    gen = IndexDir(own).current().path
    assert run_build([pages_dir, gen], tmp_path / "ix").files_seen == 3


def test_very_large_files_are_skipped_and_large_ones_reported(tmp_path, pages_dir, monkeypatch):
    big = page("A long report", "Valley Courier", "01-05-2025", ["A long paragraph. " * 400])
    (pages_dir / "big.txt").write_text(big)  # about 7 KB
    (pages_dir / "huge.txt").write_text(big * 3)  # about 22 KB
    monkeypatch.setattr(indexer, "LARGE_FILE_MB", 4 / 1024)
    monkeypatch.setattr(indexer, "MAX_FILE_MB", 16 / 1024)
    report = run_build([pages_dir], tmp_path / "ix")
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [("huge.txt", "too large")]
    assert "MiB; files over" in report.skipped[0].detail
    assert [Path(p).name for p in report.large_files] == ["big.txt"]
    assert report.published and report.stories == 5
