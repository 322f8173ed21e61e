"""The ``newsdex`` command through click's runner: exit codes, summaries, the stats contract."""

from __future__ import annotations

import json

from click.testing import CliRunner

from search.cli import cli
from search.indexing.generations import IndexDir

ISO = "2025-06-01T12:00:00Z"


def invoke(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def test_build_prints_a_summary_and_stats_json_keeps_its_contract(tmp_path, pages_dir):
    index = tmp_path / "ix"
    result = invoke("build", pages_dir, "--index", index, "--crawled-at", ISO, "-q")
    assert result.exit_code == 0, result.output
    assert "3 files read, 0 skipped" in result.output
    assert "4 stories (3 articles, 1 teasers); 2 duplicates folded" in result.output
    stats = invoke("stats", "--json", "--index", index)
    assert stats.exit_code == 0, stats.output
    data = json.loads(stats.output)
    assert data["stories"] == 4
    assert data["kinds"] == {"article": 3, "teaser": 1}
    assert data["sources"] == {"Harbour Herald": 2, "Valley Courier": 2}
    assert sum(data["topics"].values()) >= 4
    assert data["published"] == {"min": "2025-03-14T00:00:00", "max": "2025-06-01T11:00:00"}


def test_index_location_comes_from_the_environment(tmp_path, pages_dir):
    env = {"NEWSDEX_INDEX_DIR": str(tmp_path / "from-env")}
    result = invoke("build", pages_dir, "--crawled-at", ISO, "-q", env=env)
    assert result.exit_code == 0, result.output
    assert IndexDir(tmp_path / "from-env").current().name == "gen-000001"


def test_nothing_indexable_exits_1(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    result = invoke("build", tmp_path / "in", "--index", tmp_path / "ix")
    assert result.exit_code == 1, result.output
    assert "nothing could be indexed" in result.output


def test_usage_errors_exit_2(tmp_path, pages_dir):
    assert invoke("build", "--index", tmp_path / "ix").exit_code == 2
    assert invoke("build", tmp_path / "missing").exit_code == 2
    bad_time = invoke("build", pages_dir, "--crawled-at", "yesterday")
    assert bad_time.exit_code == 2 and "ISO 8601" in bad_time.output


def test_strict_turns_a_skip_into_exit_1(tmp_path, pages_dir):
    (pages_dir / "empty.txt").write_bytes(b"")
    result = invoke("build", pages_dir, "--index", tmp_path / "ix", "--strict", "-q")
    assert result.exit_code == 1, result.output


def test_a_second_build_says_so_and_exits_1(tmp_path, pages_dir):
    index = tmp_path / "ix"
    with IndexDir(index).writing():
        result = invoke("build", pages_dir, "--index", index)
    assert result.exit_code == 1
    assert "another build or update is writing" in result.output


def test_stats_without_an_index_says_how_to_build_one(tmp_path):
    result = invoke("stats", "--index", tmp_path / "nothing")
    assert result.exit_code == 1 and "newsdex build" in result.output


def test_update_without_paths_reuses_the_build_paths(tmp_path, pages_dir):
    index = tmp_path / "ix"
    invoke("build", pages_dir, "--index", index, "--crawled-at", ISO, "-q")
    (pages_dir / "b.txt").unlink()
    result = invoke("update", "--index", index, "--crawled-at", ISO, "-q", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["files"]["removed"] == 1 and report["published"]


def test_stats_dates_leave_out_undated_and_removed_stories(tmp_path):
    src, index = tmp_path / "in", tmp_path / "ix"
    src.mkdir()
    stories = {
        "undated": {"id": "u", "title": "Undated", "source": "S", "body": "No date on it."},
        "early": {"id": "e", "title": "Early", "published": "2024-02-03T04:05:06", "body": "A."},
        "late": {"id": "l", "title": "Late", "published": "2025-02-03", "body": "B."},
    }
    for name, story in stories.items():
        (src / f"{name}.jsonl").write_text(json.dumps(story) + "\n")

    def published():
        result = invoke("stats", "--json", "--index", index)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["published"]

    assert invoke("build", src, "--index", index, "-q").exit_code == 0
    assert published() == {"min": "2024-02-03T04:05:06", "max": "2025-02-03T00:00:00"}
    # removed stories stay in the segments as deleted documents until a merge
    (src / "early.jsonl").unlink()
    assert invoke("update", src, "--index", index, "-q").exit_code == 0
    assert published() == {"min": "2025-02-03T00:00:00", "max": "2025-02-03T00:00:00"}
    (src / "late.jsonl").unlink()
    assert invoke("update", src, "--index", index, "-q").exit_code == 0
    assert published() == {"min": None, "max": None}


def test_large_files_are_warned_about_in_the_summary(tmp_path, pages_dir, monkeypatch):
    from search.indexing import indexer

    monkeypatch.setattr(indexer, "LARGE_FILE_MB", 1 / 2**20)  # every page is "large"
    result = invoke("build", pages_dir, "--index", tmp_path / "ix", "--crawled-at", ISO, "-q")
    assert result.exit_code == 0, result.output
    assert "warning: 3 files over" in result.output and "(a.txt, b.txt, c.txt)" in result.output
    data = json.loads(
        invoke("build", pages_dir, "--index", tmp_path / "ix", "--json", "--crawled-at", ISO).output
    )
    assert len(data["large_files"]) == 3


def test_an_update_with_nothing_changed_says_so(tmp_path, pages_dir):
    index = tmp_path / "ix"
    invoke("build", pages_dir, "--index", index, "--crawled-at", ISO, "-q")
    result = invoke("update", pages_dir, "--index", index, "--crawled-at", ISO, "-q")
    assert result.exit_code == 0, result.output
    assert "nothing changed; gen-000001 stays live, nothing was published" in result.output
    assert [g.name for g in IndexDir(index).generations()] == ["gen-000001"]
