"""The manifest: a SQLite table per generation, changed row by row, never a reason to crash."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from search.indexing.generations import IndexDir
from search.indexing.manifest import MANIFEST, FileEntry, Manifest, pages_from_json, pages_to_json
from search.models import Caption, Page, RawStory
from tests.test_indexer import run_build, run_update, stored


def test_pages_round_trip_through_json():
    article = RawStory(
        "article", "Title", "Source", datetime(2025, 5, 1, 8, 30, 15, 12), "time", "Body.",
        (Caption("A harbour", "REUTERS"), Caption("No credit")), ("economy",), "id-1",
    )  # fmt: skip
    teaser = RawStory("teaser", "Other", "S2", None, None, "Teaser text é ✓.")
    pages = [
        Page("/c/a.txt", "/c/a.txt:3", datetime(2025, 6, 1, 12), article, (teaser, teaser)),
        Page("/c/b.txt", "/c/b.txt", datetime(2025, 6, 1), None, ()),
    ]
    text = pages_to_json(pages)
    assert "search." not in text
    assert pages_from_json(text) == pages


def test_the_manifest_is_sqlite_with_a_row_per_file_and_per_story(built_index):
    gen = IndexDir(built_index).current().path
    assert (gen / MANIFEST).read_bytes().startswith(b"SQLite format 3\0")
    assert not list(gen.glob("*.pickle"))
    manifest = Manifest.load(gen)
    assert manifest.problem is None
    assert sorted(Path(p).name for p in manifest.files) == ["a.txt", "b.txt", "c.txt"]
    assert len(manifest.fingerprints) == 4


def _rowids(gen: Path) -> dict[str, int]:
    with sqlite3.connect(gen / MANIFEST) as db:
        rows = dict(db.execute("SELECT path, rowid FROM files"))
    db.close()
    return {Path(p).name: r for p, r in rows.items()}


def test_an_update_changes_only_the_rows_that_changed(tmp_path, pages_dir):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    before = _rowids(IndexDir(index).current().path)
    (pages_dir / "c.txt").unlink()
    (pages_dir / "b.txt").write_text((pages_dir / "b.txt").read_text().replace("four", "five"))
    report = run_update([pages_dir], index)
    assert report.published
    gen = IndexDir(index).current().path
    after = _rowids(gen)
    assert set(after) == {"a.txt", "b.txt"}
    assert after["a.txt"] == before["a.txt"]  # the untouched row is the same row
    manifest = Manifest.load(gen)
    assert set(manifest.fingerprints) == set(stored(index))


@pytest.mark.parametrize("damage", ["garbage", "empty", "other tables", "bad row", "missing"])
def test_a_damaged_manifest_means_a_full_reread_with_a_warning(tmp_path, pages_dir, damage):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    path = IndexDir(index).current().path / MANIFEST
    if damage == "garbage":
        path.write_bytes(os.urandom(4096))
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "other tables":
        path.unlink()
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE files (name TEXT)")
        db.close()
    elif damage == "bad row":
        with sqlite3.connect(path) as db:
            db.execute("UPDATE files SET pages = '[[1, 2' WHERE rowid = 1")
        db.close()
    else:
        path.unlink()
    manifest = Manifest.load(path.parent)
    assert manifest.problem and not manifest.files and not manifest.fingerprints
    report = run_update([pages_dir], index)
    assert report.published and report.rebuilt and "manifest" in report.rebuilt
    assert report.files_read == 3 and report.written == 4
    fresh = tmp_path / "fresh"
    run_build([pages_dir], fresh)
    assert stored(index) == stored(fresh)


def test_a_manifest_with_an_unknown_layout_is_not_used(tmp_path):
    Manifest({"/x.txt": FileEntry(1, 2, None)}, {"a": "b"}).save(tmp_path)
    with sqlite3.connect(tmp_path / MANIFEST) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()
    manifest = Manifest.load(tmp_path)
    assert manifest.problem == f"{MANIFEST} has layout 99, not 1"
    assert not manifest.files


def test_skipped_files_that_did_not_change_count_as_unchanged(tmp_path, pages_dir):
    index = tmp_path / "ix"
    (pages_dir / "notes.md").write_text("# shopping list\n\n- eggs\n")
    (pages_dir / "empty.txt").write_bytes(b"")
    first = run_build([pages_dir], index)
    assert len(first.skipped) == 2
    report = run_update([pages_dir], index)
    assert not report.published and report.generation == "gen-000001"
    assert (report.files_read, report.files_unchanged) == (0, 5)
    # a skipped file that changes is read again (and its new size and time recorded)
    (pages_dir / "notes.md").write_text("still not a page\n")
    report = run_update([pages_dir], index)
    assert report.files_read == 1 and [Path(s.path).name for s in report.skipped] == ["notes.md"]
    assert (report.written, report.deleted) == (0, 0)
    assert run_update([pages_dir], index).files_read == 0


@pytest.mark.corpus
def test_an_update_of_reuters_with_nothing_changed_publishes_nothing(tmp_path, reuters_index):
    from tests.conftest import REUTERS

    index = tmp_path / "ix"
    shutil.copytree(reuters_index, index)
    report = run_update([REUTERS], index, crawled_at=None)
    assert not report.published, report
    assert report.files_read == 0 and report.files_unchanged == report.files_seen
    assert report.generation == IndexDir(reuters_index).current().name
