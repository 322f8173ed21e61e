"""The ``newsdex`` command: build, update and inspect an index.

Each command parses its options, calls the library and prints: text for people on stdout,
progress on stderr, JSON with ``--json``. Library errors become clean messages and exit 1;
click's own usage errors exit 2.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from search import indexer
from search.errors import NewsdexError
from search.stats import index_stats
from search.topics import Taxonomy

INDEX_OPTION = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="index",
    show_default=True,
    envvar="NEWSDEX_INDEX_DIR",
    show_envvar=True,
    help="Index folder.",
)


class IsoTime(click.ParamType):
    name = "ISO-8601 time"

    def convert(self, value, param, ctx):  # noqa: ANN001, ANN201 (click's signature)
        if isinstance(value, datetime):
            return value
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 time, e.g. 2025-05-23T08:00:00Z", param, ctx)
        if when.tzinfo is not None:
            when = when.astimezone(UTC).replace(tzinfo=None)
        return when


def _index_options(fn):  # noqa: ANN001, ANN202
    options = [
        click.argument(
            "paths", nargs=-1, type=click.Path(exists=True, path_type=Path), required=False
        ),
        INDEX_OPTION,
        click.option(
            "--crawled-at",
            type=IsoTime(),
            envvar="NEWSDEX_CRAWLED_AT",
            help="When the pages were crawled (relative ages are resolved against it); "
            "default: each file's modification time.",
        ),
        click.option(
            "--topics",
            "topics_file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            envvar="NEWSDEX_TOPICS",
            help="A topics file that extends or replaces the IPTC topics (docs/topics.md).",
        ),
        click.option("--workers", type=click.IntRange(1, 64), help="Processes (default: cores)."),
        click.option("--strict", is_flag=True, help="Fail (exit 1, index unchanged) on any skip."),
        click.option("--json", "as_json", is_flag=True, help="Print the report as JSON."),
        click.option("--quiet", "-q", is_flag=True, help="No progress, no list of skipped files."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@click.group()
@click.version_option(package_name="newsdex")
def cli() -> None:
    """Full-text search for crawls of news pages."""


@cli.command()
@_index_options
def build(paths, index_dir, crawled_at, topics_file, workers, strict, as_json, quiet) -> None:  # noqa: ANN001
    """Index every page under PATHS into a new index and switch to it.

    The live index keeps serving until the new one is complete; a build that fails or is
    killed leaves it as it was.
    """
    if not paths:
        raise click.UsageError("give at least one file or folder to index")
    _run(indexer.build, paths, index_dir, crawled_at, topics_file, workers, strict, as_json, quiet)


@cli.command()
@_index_options
def update(paths, index_dir, crawled_at, topics_file, workers, strict, as_json, quiet) -> None:  # noqa: ANN001
    """Index new and changed files under PATHS and drop the stories of files that are gone.

    Without PATHS, the folders the index was built from are used again.
    """
    if not paths:
        from search.generations import IndexDir  # noqa: PLC0415
        from search.manifest import load_build_info  # noqa: PLC0415

        try:
            recorded = load_build_info(IndexDir(index_dir).current().path).get("paths", [])
        except NewsdexError as err:
            raise click.ClickException(str(err)) from None
        paths = tuple(Path(p) for p in recorded)
        if not paths:
            raise click.UsageError("give the files or folders to index")
    _run(indexer.update, paths, index_dir, crawled_at, topics_file, workers, strict, as_json, quiet)


def _run(action, paths, index_dir, crawled_at, topics_file, workers, strict, as_json, quiet):  # noqa: ANN001, ANN202
    try:
        taxonomy = Taxonomy.load(topics_file) if topics_file else Taxonomy.default()
        report = action(
            list(paths),
            index_dir,
            taxonomy=taxonomy,
            crawled_at=crawled_at,
            workers=workers,
            strict=strict,
            progress=not (quiet or as_json),
        )
    except NewsdexError as err:
        raise click.ClickException(str(err)) from None
    if as_json:
        click.echo(json.dumps(_report_json(report), indent=2))
    else:
        _print_report(report, quiet)
    if report.stories == 0 or not (report.published or report.generation):
        sys.exit(1)
    if strict and report.skipped:
        sys.exit(1)


def _print_report(report: indexer.IndexReport, quiet: bool) -> None:
    if not quiet:
        for skip in report.skipped:
            click.echo(f"skipped {skip}", err=True)
        for problem in report.problems:
            click.echo(f"note: {problem}", err=True)
    skips = ", ".join(f"{n} {reason}" for reason, n in sorted(report.skip_counts.items()))
    kinds = ", ".join(f"{n:,} {k}s" for k, n in sorted(report.kinds.items()))
    lines = [
        f"{report.action}: {report.files_read:,} files read"
        + (f", {report.files_unchanged:,} unchanged" if report.action == "update" else "")
        + (f", {report.files_removed:,} gone" if report.files_removed else "")
        + f", {len(report.skipped):,} skipped"
        + (f" ({skips})" if skips else ""),
        f"{report.stories:,} stories ({kinds}); {report.duplicates:,} duplicates folded; "
        f"{report.written:,} written, {report.deleted:,} removed in {report.seconds:.1f} s",
    ]
    if report.published:
        lines.append(f"now serving {report.generation} from {report.index}")
    elif report.generation:
        lines.append(f"nothing changed; {report.generation} stays live")
    elif report.stories == 0:
        lines.append("nothing could be indexed; the index was not changed")
    else:
        lines.append("--strict: files were skipped, so the index was not changed")
    if report.kept_in_use:
        lines.append(f"kept {', '.join(report.kept_in_use)}: still open in a serving process")
    click.echo("\n".join(lines))


def _report_json(report: indexer.IndexReport) -> dict:
    return {
        "action": report.action,
        "index": report.index,
        "generation": report.generation,
        "published": report.published,
        "files": {
            "seen": report.files_seen,
            "read": report.files_read,
            "unchanged": report.files_unchanged,
            "removed": report.files_removed,
            "skipped": report.skip_counts,
        },
        "skipped": [
            {"path": s.path, "reason": s.reason, "detail": s.detail} for s in report.skipped
        ],
        "problems": report.problems,
        "stories": report.stories,
        "kinds": report.kinds,
        "duplicates_folded": report.duplicates,
        "written": report.written,
        "removed": report.deleted,
        "seconds": round(report.seconds, 3),
        "phases": {k: round(v, 3) for k, v in report.phases.items()},
    }


@cli.command()
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def stats(index_dir: Path, as_json: bool) -> None:
    """Stories by kind, sources, dates, topics, size, and how the index was built."""
    try:
        data = index_stats(index_dir)
    except NewsdexError as err:
        raise click.ClickException(str(err)) from None
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    kinds = ", ".join(f"{n:,} {k}s" for k, n in data["kinds"].items())
    built = data["built"]
    click.echo(
        f"{data['stories']:,} stories ({kinds}) in {data['generation']}, "
        f"{data['size_bytes'] / 1e6:.1f} MB"
    )
    click.echo(f"published {data['published']['min']} .. {data['published']['max']}")
    click.echo(
        f"built {built.get('built_at')} by {built.get('action')} from "
        f"{', '.join(built.get('paths', []))}"
    )
    for title, counts in (("sources", data["sources"]), ("topics", data["topics"])):
        click.echo(f"{title} ({len(counts)}):")
        for name, n in list(counts.items())[:20]:
            click.echo(f"  {n:>8,}  {name}")
        if len(counts) > 20:
            click.echo(f"  ... and {len(counts) - 20} more (--json lists all)")
