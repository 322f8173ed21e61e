"""Generations on disk: partials of dead builds go first, old generations go when unheld."""

from __future__ import annotations

import multiprocessing
import shutil
import threading

import pytest

from search.indexing import writers
from search.indexing.generations import IndexDir, hold_current, remove_unused_generations
from tests.test_indexer import run_build, stored


def _dead_partial(index, name="gen-000009.partial"):
    partial = index / name
    partial.mkdir()
    (partial / "MAIN_dead.trm").write_bytes(b"\0" * 100_000)
    return partial


def test_a_build_first_removes_partials_left_by_killed_builds(tmp_path, pages_dir):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    _dead_partial(index)
    _dead_partial(index, "gen-000002.partial")
    report = run_build([pages_dir], index)
    assert sorted(report.partials_removed) == ["gen-000002.partial", "gen-000009.partial"]
    assert report.published and not list(index.glob("*.partial"))


def test_even_a_build_that_publishes_nothing_removes_dead_partials(tmp_path, pages_dir):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    _dead_partial(index)
    (pages_dir / "empty.txt").write_bytes(b"")
    report = run_build([pages_dir], index, strict=True)
    assert not report.published and report.partials_removed == ["gen-000009.partial"]
    assert not list(index.glob("*.partial"))


def test_a_failed_build_removes_its_own_partial_and_leaves_the_live_one(
    tmp_path, pages_dir, monkeypatch
):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    before = stored(index)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the writer")

    monkeypatch.setattr(writers, "write", broken)
    with pytest.raises(RuntimeError):
        run_build([pages_dir], index)
    assert not list(index.glob("*.partial"))
    assert IndexDir(index).current().name == "gen-000001" and stored(index) == before


def _generations(index):
    return [g.name for g in IndexDir(index).generations()]


def test_a_reader_removes_old_generations_it_no_longer_holds(tmp_path, pages_dir):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    held = hold_current(IndexDir(index))  # an idle serving process on gen-000001
    for _ in range(3):
        run_build([pages_dir], index)
    assert _generations(index) == ["gen-000001", "gen-000003", "gen-000004"]
    assert remove_unused_generations(IndexDir(index)) == ["gen-000001"]  # still held
    held.close()
    # no writer lock needed: a build may even be running
    with IndexDir(index).writing():
        assert remove_unused_generations(IndexDir(index)) == []
    assert _generations(index) == ["gen-000003", "gen-000004"]  # live and the one before


def test_the_live_one_the_one_being_published_and_partials_are_never_removed(tmp_path, pages_dir):
    index = tmp_path / "ix"
    for _ in range(3):
        run_build([pages_dir], index)
    live = IndexDir(index).current()
    # a build between renaming its partial and pointing CURRENT at it, and one still writing
    shutil.copytree(live.path, index / "gen-000007")
    _dead_partial(index, "gen-000008.partial")
    shutil.copytree(live.path, index / "gen-000001")  # old and unheld
    assert remove_unused_generations(IndexDir(index)) == []
    assert _generations(index) == ["gen-000002", "gen-000003", "gen-000007"]
    assert (index / "gen-000008.partial").is_dir()
    assert IndexDir(index).current() == live


def test_a_generation_without_a_lock_file_is_removed_and_a_missing_one_is_no_error(
    tmp_path, pages_dir
):
    index = tmp_path / "ix"
    for _ in range(3):
        run_build([pages_dir], index)
    shutil.copytree(index / "gen-000002", index / "gen-000001")
    (index / "gen-000001" / "readers.lock").unlink()
    assert remove_unused_generations(IndexDir(index)) == []
    assert _generations(index) == ["gen-000002", "gen-000003"]


def _remove_many(path, rounds, errors):
    try:
        for _ in range(rounds):
            remove_unused_generations(IndexDir(path))
    except Exception as err:
        errors.put(repr(err))


def test_readers_switching_and_removers_racing_beside_builds(tmp_path, pages_dir):
    """Builds publish, two processes remove old generations and a reader keeps taking the
    live one: the reader never fails, never finds its generation gone, and no remover fails."""
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    stop = threading.Event()
    failures = []

    def reader():
        while not stop.is_set():
            try:
                held = hold_current(IndexDir(index))
                if not (held.generation.path / "format.json").is_file():
                    failures.append(f"{held.generation.name} gone while held")
                held.close()
            except Exception as err:
                failures.append(repr(err))

    thread = threading.Thread(target=reader)
    thread.start()
    ctx = multiprocessing.get_context("fork")
    errors = ctx.Queue()
    removers = [ctx.Process(target=_remove_many, args=(index, 200, errors)) for _ in range(2)]
    for p in removers:
        p.start()
    try:
        for _ in range(6):
            run_build([pages_dir], index)
    finally:
        for p in removers:
            p.join(60)
        stop.set()
        thread.join(10)
    assert not failures
    assert errors.empty()
    assert all(p.exitcode == 0 for p in removers)
    remove_unused_generations(IndexDir(index))
    assert _generations(index) == ["gen-000006", "gen-000007"]


def test_an_idle_engine_lets_go_of_an_old_generation_and_it_is_removed(
    tmp_path, pages_dir, monkeypatch
):
    """A worker that served once and then sat idle must not keep an old index on disk."""
    import time

    from search.models import SearchRequest
    from search.searching import engine as engine_module
    from search.searching.engine import Engine

    monkeypatch.setattr(engine_module, "WATCH_SECONDS", 0.05)
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    engine = Engine(index)
    assert engine.search(SearchRequest(q="ferry")).total
    for _ in range(2):  # gen-000003 live; gen-000002 is the one kept for readers switching
        (pages_dir / "c.txt").write_text((pages_dir / "c.txt").read_text() + "\nMore.\n")
        run_build([pages_dir], index)
    deadline = time.monotonic() + 10
    while (index / "gen-000001").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not (index / "gen-000001").exists(), "the idle engine still pins gen-000001"
    assert engine.search(SearchRequest(q="ferry")).generation == "gen-000003"
    engine.close()
