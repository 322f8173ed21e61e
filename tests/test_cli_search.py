"""``newsdex search`` and ``newsdex serve`` through click's runner."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner
from flask import Flask

from search.cli import cli


def invoke(*args, color=False):
    return CliRunner().invoke(cli, [str(a) for a in args], color=color)


def test_text_output_for_people(built_index):
    result = invoke("search", "ferry", "--index", built_index)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "  1. Ferry fares frozen for winter"
    assert lines[1] == "     Harbour Herald · 2025-05-31 · article"
    assert "ferry" in lines[2].lower() and "<mark>" not in lines[2]
    assert "\x1b[" not in result.output  # not a terminal: no ANSI codes
    assert "1 story in " in result.output
    assert "source: Harbour Herald 1" in result.output


def test_matches_are_bold_on_a_terminal(built_index):
    result = invoke("search", "ferry", "--index", built_index, color=True)
    assert result.exit_code == 0, result.output
    bold = "\x1b[1mFerry\x1b[0m"
    assert result.output.splitlines()[0] == f"  1. {bold} fares frozen for winter"


def test_approximate_dates_and_words_without_quotes(built_index):
    result = invoke("search", "dam", "cracks", "--index", built_index)
    assert result.exit_code == 0, result.output
    assert "Valley Courier · ≈ 2025-06-01 · teaser" in result.output


def test_markup_in_stories_prints_as_text(samples_index):
    result = invoke("search", "quillfeather", "--index", samples_index)
    assert result.exit_code == 0, result.output
    assert "<script>alert(1)</script>" in result.output
    assert "&lt;" not in result.output


def test_json_is_the_api_json(built_index, client):
    args = ["ferry OR mayor", "--source", "Harbour Herald", "--source", "Valley Courier"]
    result = invoke(
        "search", *args, "--sort", "newest", "--per-page", "1", "--json", "--index", built_index
    )
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.output)
    query = "q=ferry+OR+mayor&source=Harbour+Herald&source=Valley+Courier&sort=newest&per_page=1"
    from_api = client.get(f"/api/search?{query}").get_json()
    assert from_cli["total"] == 2 and from_cli["next"]
    from_cli.pop("took_ms"), from_api.pop("took_ms")
    assert from_cli == from_api


def test_filters_narrow_the_search(built_index):
    result = invoke(
        "search", "--kind", "teaser", "--from", "2025-06-01", "--json", "--index", built_index
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [h["title"] for h in data["hits"]] == ["Valley dam inspection finds cracks"]


def test_bad_values_are_usage_errors(built_index):
    for args, option in [
        (["--page", "abc"], "--page"),
        (["--page", "-1"], "--page"),
        (["--per-page", "10000"], "--per-page"),
        (["--from", "2025-13-45"], "--from"),
        (["--sort", "popular"], "--sort"),
        (["--kind", "video"], "--kind"),
    ]:
        result = invoke("search", "ferry", *args, "--index", built_index)
        assert result.exit_code == 2, result.output
        assert f"Invalid value for '{option}'" in result.output, result.output


def test_a_missing_index_exits_1_saying_to_build_it(tmp_path):
    result = invoke("search", "ferry", "--index", tmp_path / "none")
    assert result.exit_code == 1, result.output
    assert "newsdex build" in result.output
    assert "Traceback" not in result.output


def test_the_index_comes_from_the_environment(built_index):
    result = CliRunner().invoke(
        cli, ["search", "ferry"], env={"NEWSDEX_INDEX_DIR": str(built_index)}
    )
    assert result.exit_code == 0, result.output
    assert "1 story in" in result.output


def test_serve_runs_the_app_on_the_index(built_index, monkeypatch):
    calls = []

    def run(app, **kwargs):
        calls.append((app.config["INDEX_DIR"], kwargs))

    monkeypatch.setattr(Flask, "run", run)
    result = invoke("serve", "--port", "5099", "--index", built_index)
    assert result.exit_code == 0, result.output
    assert calls == [
        (str(built_index.resolve()), {"host": "127.0.0.1", "port": 5099, "debug": False})
    ]


def test_the_library_and_cli_do_not_load_flask():
    code = "import sys, search.cli; assert 'flask' not in sys.modules, 'flask loaded'"
    subprocess.run([sys.executable, "-c", code], check=True)
