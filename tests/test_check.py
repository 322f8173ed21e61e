"""``newsdex check``: a sound index passes; damaged segments are named, never a traceback."""

from __future__ import annotations

import json
import os
import random

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.indexing.generations import IndexDir
from search.indexing.index_format import FORMAT_VERSION, write_format
from search.indexing.integrity import check_index
from tests.test_indexer import run_build


def check(index, *args):
    result = CliRunner().invoke(cli, ["check", "--index", str(index), *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def test_a_sound_index(built_index):
    result = check(built_index)
    assert result.exit_code == 0, result.output
    sound = f"gen-000001 in {built_index}: sound; format {FORMAT_VERSION}, "
    assert result.output.startswith(sound)
    assert "4 stories" in result.output
    data = json.loads(check(built_index, "--json").output)
    assert data["sound"] is True and data["problems"] == []
    assert data["stories"] == data["documents"] == 4 and data["postings"] > data["terms"] > 0


def _segment_file(index, suffix):
    return next(IndexDir(index).current().path.glob(f"MAIN_*{suffix}"))


def test_random_bytes_in_a_segment(built_index):
    path = _segment_file(built_index, ".trm")
    data = bytearray(path.read_bytes())
    rng = random.Random(8)
    at = len(data) // 3
    data[at : at + 64] = rng.randbytes(64)
    path.write_bytes(bytes(data))
    result = check(built_index)
    assert result.exit_code == 1, result.output
    assert "DAMAGED" in result.output
    assert f"{path.name}: checksum differs" in result.output
    assert "rebuild it: newsdex build" in result.output


def test_a_truncated_segment(built_index):
    path = _segment_file(built_index, ".trm")
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.truncate(size // 2)
    result = check(built_index, "--json")
    assert result.exit_code == 1, result.output
    problems = json.loads(result.output)["problems"]
    assert f"{path.name}: {size // 2:,} bytes, {size:,} when written" in problems


@pytest.mark.parametrize("suffix", [".trm", ".pst", "._stored.col"])
def test_damage_is_found_by_reading_too_not_only_by_checksums(tmp_path, pages_dir, suffix):
    """Damage done before the checksums were recorded (a bad disk, a bug in a writer) is found
    by reading every structure (where it breaks one: a cut-off column can still read as
    values, which only its checksum tells apart)."""
    index = tmp_path / "ix"
    for n in range(40):  # enough documents for more than one block of postings
        (pages_dir / f"more-{n:02}.txt").write_text(
            (pages_dir / "a.txt").read_text().replace("Mayor", f"Mayor {n}")
        )
    run_build([pages_dir], index)
    gen = IndexDir(index).current().path
    path = _segment_file(index, suffix)
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size * 2 // 3)
    write_format(gen)  # the damage is now what was "written"
    report = check_index(index)
    assert not report.sound
    assert all("checksum" not in p and "when written" not in p for p in report.problems)
    assert any(p.startswith("segment ") or "cannot be opened" in p for p in report.problems), (
        report.problems
    )


def test_a_named_generation_and_an_unknown_one(tmp_path, pages_dir):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    run_build([pages_dir], index)
    os.truncate(next((index / "gen-000002").glob("MAIN_*.trm")), 10)
    assert check(index, "--generation", "gen-000001").exit_code == 0
    assert check(index).exit_code == 1
    result = check(index, "--generation", "gen-000009")
    assert result.exit_code == 1 and "has no generation 'gen-000009'" in result.output


def test_a_manifest_that_disagrees_with_the_index(built_index):
    import sqlite3

    gen = IndexDir(built_index).current().path
    with sqlite3.connect(gen / "manifest.sqlite") as db:
        db.execute("DELETE FROM fingerprints WHERE id = (SELECT min(id) FROM fingerprints)")
    db.close()
    result = check(built_index)
    assert result.exit_code == 1
    assert "the manifest records 3 stories, the index holds 4" in result.output


@pytest.mark.corpus
def test_reuters_is_sound(reuters_index):
    report = check_index(reuters_index)
    assert report.sound, report.problems
    assert report.stories == report.documents > 20_000
    assert report.postings > 1_000_000
