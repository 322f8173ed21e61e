"""The on-disk format: its version, the names pickled into a generation, its checksums."""

from __future__ import annotations

import hashlib
import json
import os
import pickletools
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh.filedb.filestore import FileStorage

from search import persisted
from search.cli import cli
from search.errors import IndexFormatError
from search.indexing import index_format
from search.indexing.analysis import terms
from search.indexing.generations import IndexDir
from search.indexing.index_format import FORMAT_FILE, FORMAT_VERSION, check_format, verify_files
from search.indexing.schema import StorySchema
from search.models import SearchRequest
from search.searching.engine import Engine
from search.searching.stats import index_stats
from tests.conftest import CRAWLED
from tests.test_indexer import run_build, run_update


def toc_pickles(generation: Path) -> list[bytes]:
    """The two pickles of a Whoosh 2.7.4 table of contents: the schema and the segments."""
    (toc,) = generation.glob("_MAIN_*.toc")
    stream = FileStorage(str(generation)).open_file(toc.name)
    try:
        for _ in range(3):  # int, long and float sizes
            stream.read_varint()
        stream.read_int()  # -12345, the byte order check
        stream.read_int()  # TOC version
        for _ in range(3):  # Whoosh release
            stream.read_varint()
        schema = stream.read_string()
        stream.read_int()  # generation
        stream.read_int()  # unused
        segments = stream.read()
    finally:
        stream.close()
    return [schema, segments]


def pickled_globals(data: bytes) -> set[str]:
    """Every ``module.name`` a pickle refers to (``GLOBAL`` and ``STACK_GLOBAL``)."""
    names, strings = set(), []
    for op, arg, _ in pickletools.genops(data):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(arg)
        elif op.name == "GLOBAL":
            names.add(arg.replace(" ", "."))
        elif op.name == "STACK_GLOBAL":
            names.add(f"{strings[-2]}.{strings[-1]}")
    return names


def test_every_class_of_ours_in_a_toc_is_pickled_under_the_stable_module(built_index):
    gen = IndexDir(built_index).current().path
    names = set().union(*(pickled_globals(p) for p in toc_pickles(gen)))
    ours = {n for n in names if n.startswith("search")}
    assert ours == {f"search.persisted.{n}" for n in ("NewsAnalyzer", "NewsText", "BulkCodec")}
    # Whoosh's own classes are pinned with Whoosh (2.7.4); nothing else is pickled
    assert all(n.split(".")[0] in {"search", "whoosh", "builtins", "__builtin__", "re",
                                   "collections"} for n in names), names  # fmt: skip
    # and the stored documents pickle no class of ours at all
    for path in gen.glob("*._stored.col"):
        assert b"search." not in path.read_bytes()


def test_the_stable_module_exports_each_class_under_its_pickled_name():
    for name in persisted.__all__:
        cls = getattr(persisted, name)
        assert (cls.__module__, cls.__qualname__) == ("search.persisted", name)


# A hash of what an index depends on beyond Whoosh: the terms the analysis makes of a text,
# and the schema's fields. Changing either makes every existing index wrong for this code:
# bump FORMAT_VERSION (index_format.py) and record the new hash here under it.
KNOWN_LAYOUTS = {
    2: "a20b4da9b84eb95afbc42973",
    3: "05562e0d882de1807e44cbbe",
    4: "2422ebfc6daffa4adf02c0f8",
    5: "91c01ad3aaa4049c06a3b56a",
    6: "73423f886a2f8f6307cef699",
    7: "01446a997326c6426980299f",
}
SAMPLE = (
    "The U.S. Senate's 3.5% tax cut: Müller, O'Brien and the EU's ministers met in "
    "Brussels on Tuesday; officials said talks were running, ran and will run again. "
    "It is not the first time we have seen them, may they be well."
)


def layout_hash() -> str:
    schema = StorySchema()
    fields = [
        (name, type(f).__name__, type(f.format).__name__, bool(f.stored), bool(f.column_type))
        for name, f in sorted(schema.items())
    ]
    text = json.dumps([terms(SAMPLE), fields])
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def test_changing_the_analysis_or_the_schema_changes_the_format_version():
    assert KNOWN_LAYOUTS.get(FORMAT_VERSION) == layout_hash(), (
        "the analysis or the schema changed: bump index_format.FORMAT_VERSION and record "
        f"{layout_hash()!r} for it in KNOWN_LAYOUTS"
    )


def test_a_build_records_its_format_and_a_checksum_of_every_whoosh_file(built_index):
    gen = IndexDir(built_index).current().path
    info = json.loads((gen / FORMAT_FILE).read_text())
    assert info["format"] == FORMAT_VERSION
    assert set(info["files"]) == {p.name for p in index_format.whoosh_files(gen)}
    assert any(name.endswith(".toc") for name in info["files"])
    assert "manifest.sqlite" not in info["files"]
    assert verify_files(gen) == []


def _break_format(gen: Path, how: str) -> None:
    if how == "missing":
        (gen / FORMAT_FILE).unlink()
    elif how == "older":
        info = json.loads((gen / FORMAT_FILE).read_text())
        (gen / FORMAT_FILE).write_text(json.dumps({**info, "format": 1}))
    elif how == "newer":
        info = json.loads((gen / FORMAT_FILE).read_text())
        (gen / FORMAT_FILE).write_text(json.dumps({**info, "format": FORMAT_VERSION + 1}))
    else:
        (gen / FORMAT_FILE).write_bytes(os.urandom(64))


def _as_old_index(gen: Path) -> None:
    """A generation as an older newsdex wrote it: no format file, and its table of contents
    naming classes in a module that no longer exists (as a module move would leave it)."""
    (toc,) = gen.glob("_MAIN_*.toc")
    data = toc.read_bytes()
    assert b"search.persisted" in data
    toc.write_bytes(data.replace(b"search.persisted", b"search.oldplacex"))
    (gen / FORMAT_FILE).unlink()


@pytest.mark.parametrize("how", ["missing", "older", "newer", "garbage", "old index"])
def test_a_generation_in_another_format_says_rebuild_and_never_unpickles(built_index, how):
    gen = IndexDir(built_index).current().path
    if how == "old index":
        _as_old_index(gen)
    else:
        _break_format(gen, how)
    with pytest.raises(IndexFormatError, match="rebuild needed"):
        check_format(gen)
    with pytest.raises(IndexFormatError):
        index_stats(built_index)
    engine = Engine(built_index)
    try:
        with pytest.raises(IndexFormatError):
            engine.search(SearchRequest(q="ferry"))
    finally:
        engine.close()
    for command in ("stats", "check"):
        result = CliRunner().invoke(cli, [command, "--index", str(built_index)])
        assert result.exit_code == 1, result.output
        assert "rebuild needed" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output


def test_an_update_of_an_old_format_index_rebuilds_it_in_full(tmp_path, pages_dir):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    _as_old_index(IndexDir(index).current().path)
    report = run_update([pages_dir], index)
    assert report.published and report.rebuilt and "format 1" in report.rebuilt
    assert report.written == report.stories == 4
    gen = IndexDir(index).current().path
    assert check_format(gen)["format"] == FORMAT_VERSION and verify_files(gen) == []
    result = CliRunner().invoke(
        cli, ["update", str(pages_dir), "--index", str(index), "--crawled-at", CRAWLED.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert "rebuilt in full" not in result.output and "nothing changed" in result.output


def test_build_works_over_an_old_format_index(tmp_path, pages_dir):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    _as_old_index(IndexDir(index).current().path)
    report = run_build([pages_dir], index)
    assert report.published
    assert verify_files(IndexDir(index).current().path) == []


def test_verify_files_names_each_damaged_file(built_index):
    gen = IndexDir(built_index).current().path
    trm, pst, col = (next(gen.glob(f"*{ext}")) for ext in (".trm", "._stored.col", ".kind.col"))
    data = bytearray(trm.read_bytes())
    data[len(data) // 2] ^= 0xFF
    trm.write_bytes(bytes(data))
    pst.write_bytes(pst.read_bytes()[:-5])
    col.unlink()
    (gen / "MAIN_stray.seg").write_bytes(b"x")
    problems = verify_files(gen)
    assert problems == sorted(
        [
            f"{trm.name}: checksum differs from the one recorded when written",
            f"{pst.name}: {pst.stat().st_size:,} bytes, {pst.stat().st_size + 5:,} when written",
            f"{col.name}: missing",
        ]
    ) + ["MAIN_stray.seg: not part of the generation as written"]


def test_an_update_carries_checksums_of_linked_files_and_records_new_ones(
    tmp_path, pages_dir, monkeypatch
):
    index = tmp_path / "ix"
    run_build([pages_dir], index)
    first = json.loads((IndexDir(index).current().path / FORMAT_FILE).read_text())["files"]
    (pages_dir / "b.txt").write_text((pages_dir / "b.txt").read_text().replace("four", "five"))
    read = []
    real = index_format.checksum
    # Only this index's files: engines of other tests verify theirs in background threads.
    monkeypatch.setattr(
        index_format,
        "checksum",
        lambda p: (p.is_relative_to(index) and read.append(p.name)) or real(p),
    )
    report = run_update([pages_dir], index)
    assert report.published
    gen = IndexDir(index).current().path
    second = json.loads((gen / FORMAT_FILE).read_text())["files"]
    kept = set(first) & set(second)
    assert kept and not kept & set(read)  # linked files: carried over, not read again
    assert set(read) == set(second) - kept
    assert verify_files(gen) == []


def test_a_copied_index_verifies_too(tmp_path, built_index):
    copy = tmp_path / "copy"
    shutil.copytree(built_index, copy)
    assert verify_files(IndexDir(copy).current().path) == []
