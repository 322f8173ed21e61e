"""What ``newsdex search`` prints: hits for people (bold matches on a terminal), or with
``--all`` every match as CSV or JSON Lines, written line by line as the engine reads them.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import datetime
from typing import TYPE_CHECKING

import click

from search.interface import export
from search.models import FACETS, Marked, SearchRequest, SearchResults

if TYPE_CHECKING:  # the engine loads numpy and Whoosh: only ``newsdex search`` needs them
    from search.searching.engine import Engine


def write_all(engine: Engine, request: SearchRequest, format: str) -> None:
    """Every match of ``request`` to stdout (``search.interface.export``); the count on stderr."""
    with engine.export(request) as found:
        out = sys.stdout
        try:
            for line in export.lines(format, found.hits):
                out.write(line)
            out.flush()
        except BrokenPipeError:  # `newsdex search --all | head`: the reader has had enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
            return
        click.echo(f"{found.total:,} {'story' if found.total == 1 else 'stories'}", err=True)


def print_results(results: SearchResults) -> None:
    req = results.request
    for notice in results.query.notices:
        click.echo(f"note: {notice}")
    first = (req.page - 1) * req.per_page + 1
    for number, hit in enumerate(results.hits, start=first):
        click.echo(f"{number:>3}. {_terminal(hit.marked_title)}")
        when = _when(hit.published, hit.precision)
        versions = f" · {hit.versions} versions" if hit.versions > 1 else ""
        click.echo(f"     {hit.source or '(no source)'} · {when} · {hit.kind}{versions}")
        if hit.snippets:
            click.echo(f"     {_terminal(hit.snippets[0])}")
        click.echo(f"     id {hit.id}")
        click.echo()
    total = results.total
    took = f"{round(results.took_ms, 3):.1f} ms"
    click.echo(
        f"{total:,} {'story' if total == 1 else 'stories'} in {took}"
        + (f", page {req.page} of {results.pages}" if results.pages > 1 else "")
    )
    if results.suggestion:
        click.echo(f"did you mean: {results.suggestion}")
    if results.any_total:
        click.echo(f"{results.any_total:,} match any of the words (--match any)")
    for facet in FACETS:
        values = results.facets.get(facet, ())
        if values:
            top = ", ".join(
                ("*" if v.selected else "") + f"{v.value} {v.count:,}" for v in values[:5]
            )
            more = f" (+{len(values) - 5} more)" if len(values) > 5 else ""
            click.echo(f"{facet}: {top}{more}")


def _terminal(marked: Marked) -> str:
    """Marked text for a terminal: white space made single spaces, matched words in bold
    (``click.echo`` drops the bold when stdout is not a terminal)."""
    out = []
    for text, matched in marked.runs:
        text = re.sub(r"\s+", " ", text)
        out.append(click.style(text, bold=True) if matched and text else text)
    return "".join(out)


def _when(published: datetime | None, precision: str | None) -> str:
    if published is None:
        return "undated"
    if precision == "time":
        return published.isoformat()[:16].replace("T", " ")
    return ("≈ " if precision == "approximate" else "") + published.isoformat()[:10]
