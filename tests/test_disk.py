"""A full disk, and index folders that cannot be used: clear errors, nothing left behind."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.indexing import disk, indexer, writers
from search.indexing.generations import IndexDir, remove_unused_generations
from search.indexing.index_format import verify_files
from tests.test_indexer import _synth, run_build, stored

ISO = "2025-06-01T12:00:00Z"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_clean_failure(result, index, before, *words):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for word in words:
        assert word in result.output
    assert not list(index.glob("*.partial")) and not list(index.glob(".trash-*"))
    assert IndexDir(index).current().name == "gen-000001"
    assert stored(index) == before


def test_a_build_that_cannot_fit_stops_before_it_starts(tmp_path, pages_dir, monkeypatch):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    before = stored(index)
    monkeypatch.setattr(disk, "free_bytes", lambda path: 200_000)
    result = invoke("build", pages_dir, "--index", index, "--crawled-at", ISO, "-q")
    assert_clean_failure(result, index, before, "not enough disk space", "0.2 MB are free")
    assert f"for the build of {index}" in result.output and "needs about 1.1 MB" in result.output


_REAL_WRITE_SHARE = writers.write_share
_PARENT = os.getpid()


def _enospc_write_share(folder, path, n, count):
    """A writer that runs out of disk half-way, in each forked writer process (module level:
    the pool pickles it by name)."""
    if os.getpid() == _PARENT:
        return _REAL_WRITE_SHARE(folder, path, n, count)
    (Path(folder) / "MAIN_half.seg").write_bytes(b"\0" * 10_000)
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(Path(folder) / "MAIN_x.pst"))


def _no_space_in_writers(monkeypatch):
    """Writers (forked: two of them, even for a few stories) that run out of disk."""
    global _PARENT
    _PARENT = os.getpid()
    monkeypatch.setattr(writers, "write_share", _enospc_write_share)
    monkeypatch.setattr(indexer, "_SMALL_JOB", 0)


def test_a_disk_that_fills_up_in_a_forked_writer(tmp_path, pages_dir, monkeypatch):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    before = stored(index)
    _no_space_in_writers(monkeypatch)
    result = invoke("build", pages_dir, "--index", index, "--workers", 2, "-q", "--crawled-at", ISO)
    assert_clean_failure(result, index, before, "filled up during the build", "MB free now")
    assert "gen-000001 stays live" in result.output
    monkeypatch.undo()
    result = invoke("build", pages_dir, "--index", index, "-q", "--crawled-at", ISO)
    assert result.exit_code == 0, result.output
    assert IndexDir(index).current().name == "gen-000002"


def test_an_update_that_fills_the_disk(tmp_path, pages_dir, monkeypatch):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    before = stored(index)
    for name in ("a.txt", "b.txt"):  # two stories to write: two writers
        (pages_dir / name).write_text((pages_dir / name).read_text().replace("the", "a"))
    _no_space_in_writers(monkeypatch)
    result = invoke("update", pages_dir, "--index", index, "--workers", 2, "--crawled-at", ISO)
    assert_clean_failure(result, index, before, "filled up during the update")


# --- a real full disk: a small tmpfs (needs root and permission to mount) -------------------


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.slow
def test_a_real_full_disk_mid_build_and_before_it(tmp_path, pages_dir, small_disk, monkeypatch):
    index = small_disk / "ix"
    assert invoke("build", pages_dir, "--index", index, "-q", "--crawled-at", ISO).exit_code == 0
    before = stored(index)
    corpus = _synth(tmp_path, 3000)  # about 2.4 MB of pages: an index of twice that
    # the estimate says it cannot fit
    result = invoke("build", corpus, "--index", index, "-q")
    assert_clean_failure(result, index, before, "not enough disk space")
    # told there is room, it runs out mid-way, on a real ENOSPC
    monkeypatch.setattr(disk, "free_bytes", lambda path: 10**12)
    result = invoke("build", corpus, "--index", index, "-q")
    assert_clean_failure(result, index, before, "filled up during the build")
    assert verify_files(IndexDir(index).current().path) == []
    monkeypatch.undo()
    result = invoke("build", pages_dir, "--index", index, "-q", "--crawled-at", ISO)
    assert result.exit_code == 0, result.output
    assert invoke("check", "--index", index).exit_code == 0


def test_a_read_only_index_folder(small_disk, pages_dir):
    index = small_disk / "ix"
    assert invoke("build", pages_dir, "--index", index, "-q", "--crawled-at", ISO).exit_code == 0
    assert invoke("build", pages_dir, "--index", index, "-q", "--crawled-at", ISO).exit_code == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = invoke("build", pages_dir, "--index", index, "-q")
    assert result.exit_code == 1, result.output
    assert f"cannot write an index at {index}" in result.output
    assert "Traceback" not in result.output
    # readers still work, and a reader's clean-up deletes nothing and raises nothing
    assert invoke("stats", "--index", index).exit_code == 0
    assert invoke("check", "--index", index).exit_code == 0
    assert remove_unused_generations(IndexDir(index)) == []


# --- --index paths that cannot be an index --------------------------------------------------


def test_an_index_path_that_is_a_file_or_under_a_file(tmp_path, pages_dir):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    for index in (a_file, a_file / "ix"):
        for args in (("build", pages_dir), ("update", pages_dir), ("stats",), ("check",)):
            result = invoke(*args, "--index", index)
            assert result.exit_code in (1, 2), (args, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                args,
                result.exception,
            )
            assert str(a_file) in result.output, (args, result.output)
