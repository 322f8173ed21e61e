"""The ``newsdex`` command: build, update, inspect and check an index.

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

from search.cli_print import print_results, write_all
from search.errors import NewsdexError
from search.indexing import indexer
from search.ingest.topics import Taxonomy
from search.searching.stats import index_stats

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

    def convert(self, value, param, ctx):  # click's signature
        if isinstance(value, datetime):
            return value
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 time, e.g. 2025-05-23T08:00:00Z", param, ctx)
        if when.tzinfo is not None:
            when = when.astimezone(UTC).replace(tzinfo=None)
        return when


def _index_options(fn):
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
def build(paths, index_dir, crawled_at, topics_file, workers, strict, as_json, quiet) -> None:
    """Index every page under PATHS into a new index and switch to it.

    The live index keeps serving until the new one is complete; a build that fails or is
    killed leaves it as it was.
    """
    if not paths:
        raise click.UsageError("give at least one file or folder to index")
    _run(indexer.build, paths, index_dir, crawled_at, topics_file, workers, strict, as_json, quiet)


@cli.command()
@_index_options
def update(paths, index_dir, crawled_at, topics_file, workers, strict, as_json, quiet) -> None:
    """Index new and changed files under PATHS and drop the stories of files that are gone.

    Without PATHS, the folders the index was built from are used again.
    """
    if not paths:
        from search.indexing.generations import IndexDir
        from search.indexing.manifest import load_build_info

        try:
            recorded = load_build_info(IndexDir(index_dir).current().path).get("paths", [])
        except NewsdexError as err:
            raise click.ClickException(str(err)) from None
        paths = tuple(Path(p) for p in recorded)
        if not paths:
            raise click.UsageError("give the files or folders to index")
    _run(indexer.update, paths, index_dir, crawled_at, topics_file, workers, strict, as_json, quiet)


def _run(action, paths, index_dir, crawled_at, topics_file, workers, strict, as_json, quiet):
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
        click.echo(json.dumps(report.to_json(), indent=2))
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
    lines = []
    if report.partials_removed:
        names = ", ".join(report.partials_removed)
        lines.append(f"removed {names}: left by a build that failed or was killed")
    if report.rebuilt:
        lines.append(f"update: {report.rebuilt}, so the index is rebuilt in full")
    lines += [
        f"{report.action}: {report.files_read:,} files read"
        + (f", {report.files_unchanged:,} unchanged" if report.action == "update" else "")
        + (f", {report.files_removed:,} gone" if report.files_removed else "")
        + f", {len(report.skipped):,} skipped"
        + (f" ({skips})" if skips else ""),
        f"{report.stories:,} stories ({kinds}); {report.duplicates:,} duplicates folded; "
        f"{report.versions_folded:,} versions folded into {report.version_groups:,} stories; "
        f"{report.clustered:,} stories grouped into {report.clusters:,} clusters across sources; "
        f"{report.written:,} written, {report.deleted:,} removed in {report.seconds:.1f} s",
    ]
    if report.relabelled:
        lines.append(
            f"topics: {report.relabelled:,} unchanged stories relabelled "
            "(the topic model learned from what changed; docs/topics.md)"
        )
    if report.large_files:
        names = ", ".join(Path(n).name for n in report.large_files[:3])
        more = f" and {len(report.large_files) - 3} more" if len(report.large_files) > 3 else ""
        lines.append(
            f"warning: {len(report.large_files):,} files over {indexer.LARGE_FILE_MB} MiB were "
            f"read whole ({names}{more}); each takes about 14 times its size in memory while "
            f"it is read, and files over {indexer.MAX_FILE_MB} MiB are skipped"
        )
    if report.published:
        lines.append(f"now serving {report.generation} from {report.index}")
    elif report.generation:
        lines.append(f"nothing changed; {report.generation} stays live, nothing was published")
    elif report.stories == 0:
        lines.append("nothing could be indexed; the index was not changed")
    else:
        lines.append("--strict: files were skipped, so the index was not changed")
    if report.kept_in_use:
        lines.append(f"kept {', '.join(report.kept_in_use)}: still open in a serving process")
    click.echo("\n".join(lines))


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


@cli.command()
@INDEX_OPTION
@click.option("--generation", metavar="gen-NNNNNN", help="Check this generation, not the live one.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def check(index_dir: Path, generation: str | None, as_json: bool) -> None:
    """Read the whole index and report any damage (exit 0: sound, 1: not).

    Checks the format, every file against the checksum recorded when it was written, the
    table of contents, and every segment's stored documents, posting lists and columns.
    """
    from search.indexing.integrity import check_index

    try:
        report = check_index(index_dir, generation)
    except NewsdexError as err:
        raise click.ClickException(str(err)) from None
    if as_json:
        data = report.to_json()
        click.echo(json.dumps(data, indent=2))
    else:
        n = len(report.problems)
        state = "sound" if report.sound else f"DAMAGED, {n:,} problem{'s' if n > 1 else ''}"
        if report.format is None:
            click.echo(f"{report.generation} in {report.index}: not in a format this reads")
        else:
            click.echo(
                f"{report.generation} in {report.index}: {state}; format {report.format}, "
                f"{report.files:,} files ({report.bytes / 1e6:.1f} MB), {report.segments:,} "
                f"segments, {report.stories:,} stories, {report.postings:,} postings read "
                f"in {report.seconds:.1f} s"
            )
        for problem in report.problems:
            click.echo(f"  {problem}")
        if not report.sound:
            click.echo("rebuild it: newsdex build PATH --index " + str(report.index))
    if not report.sound:
        sys.exit(1)


# --- search and serve: the engine, and for ``serve`` the web app (imported inside the
# commands, so that ``import search`` and the indexing commands load neither) -------------------

SEARCH_OPTIONS = {
    # query-string parameter -> the option a person types
    "q": "QUERY",
    "source": "--source",
    "topic": "--topic",
    "kind": "--kind",
    "from": "--from",
    "to": "--to",
    "sort": "--sort",
    "match": "--match",
    "page": "--page",
    "per_page": "--per-page",
}


@cli.command()
@click.argument("query", nargs=-1)
@click.option("--source", multiple=True, help="Only this source (repeat for any of several).")
@click.option("--topic", multiple=True, help="Only this topic (repeat for any of several).")
@click.option("--kind", multiple=True, help="article or teaser (repeat for both).")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="First day included.")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Last day included.")
@click.option("--sort", metavar="relevance|newest|oldest", help="Order (default relevance).")
@click.option("--match", metavar="all|any", help="Whether all words must match (default all).")
@click.option("--page", metavar="N", help="Page of results (default 1).")
@click.option("--per-page", "per_page", metavar="N", help="Hits per page (default 10).")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON the API answers.")
@click.option("--all", "every", is_flag=True, help="Print every match (with --format).")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", help="For --all."
)
@INDEX_OPTION
def search(query, index_dir, as_json, every, fmt, **options) -> None:
    """Search the index: newsdex search 'paraguay taiwan' --source Reuters.

    QUERY takes the query language of the web search box (words, "phrases", OR, -word,
    title:, after:2025-05-01, ...). Quote it ('budget -mayor'), and put `--` before one that
    starts with `-`. Matched words are bold on a terminal.
    """
    from search.errors import BadParameter
    from search.interface import serialize
    from search.interface.params import ArgList, parse_search_args
    from search.searching.engine import Engine

    args = ArgList()
    if query:
        args.add("q", " ".join(query))
    for name, value in options.items():
        for one in value if isinstance(value, tuple) else [value]:
            if one is not None:
                args.add(name.removeprefix("date_"), one)
    try:
        request = parse_search_args(args)
    except BadParameter as err:
        raise click.BadParameter(
            err.reason, param_hint=[SEARCH_OPTIONS.get(err.param, err.param)]
        ) from None
    engine = Engine(index_dir)
    try:
        if every:
            return write_all(engine, request, fmt)
        results = engine.search(request)
    except NewsdexError as err:
        raise click.ClickException(str(err)) from None
    finally:
        engine.close()
    if as_json:
        data = serialize.search_json(results)
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print_results(results)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535))
@INDEX_OPTION
@click.option("--debug", is_flag=True, help="Reload on code changes; show tracebacks.")
def serve(host: str, port: int, index_dir: Path, debug: bool) -> None:
    """Run the web site and the JSON API on Flask's development server.

    For production use gunicorn: gunicorn 'web:create_app()'.
    """
    from web import create_app

    app = create_app({"INDEX_DIR": str(index_dir.resolve())})
    app.run(host=host, port=port, debug=debug)
