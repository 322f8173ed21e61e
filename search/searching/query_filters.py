"""Filters written in the query text: the top-level ``source:``, ``topic:`` and ``kind:``
clauses that name values the index holds are taken out of the query and applied like
ticked values (``results.with_query_filters``), so the page can show them ticked and still
offer the other values; ``facet_term`` matches a typed value against the index's values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from whoosh import query as wq

from search.models import KINDS, QueryFilter
from search.searching.clauses import All, AnyOf, Clause, Dates, Value, describe
from search.searching.clauses import join as join_clauses
from search.searching.reader import shown

if TYPE_CHECKING:
    from search.searching.query import Vocabulary

NOTHING = "\x00nothing"
"""A term no field holds: what an unknown ``source:`` value matches."""


FILTER_FACETS = {"source": "source", "topics": "topic", "kind": "kind"}
"""The value fields that are facets too, by the facet's name."""


def lift_values(
    tree: Clause, vocab: Vocabulary
) -> tuple[Clause | None, list[tuple[Value, tuple[str, ...]]]]:
    """The tree without the top-level ``source:``/``topic:``/``kind:`` clauses that name
    values the index holds, and those clauses with their values. A value that names
    nothing stays in the query (it finds nothing, with a notice)."""
    lifted: list[tuple[Value, tuple[str, ...]]] = []
    rest: list[Clause] = []
    for clause in top_level(tree):
        values = _facet_values(clause, vocab) if isinstance(clause, Value) else ()
        if values:
            lifted.append((clause, values))  # type: ignore[arg-type]
        else:
            rest.append(clause)
    return join_clauses(All, rest), lifted


def _facet_values(clause: Value, vocab: Vocabulary) -> tuple[str, ...]:
    if clause.field == "kind":
        kind = clause.value.lower()
        return (kind,) if kind in KINDS else ()
    if clause.field not in ("source", "topics"):
        return ()
    found = facet_term(clause.field, clause.value, vocab, [])
    return tuple(str(t.text) for t in found.leaves() if str(t.text) != NOTHING)


def echo(
    tree: Clause, lifted: list[tuple[Value, tuple[str, ...]]], ran: Clause | None
) -> list[Clause | None]:
    """The query as it ran, dates aside, in the order it was typed: each filter taken out
    as the values it found, the rest where its first clause stood."""
    values = dict(lifted)
    echo: list[Clause | None] = []
    for clause in top_level(tree):
        if isinstance(clause, Value) and clause in values:
            echo.append(join_clauses(AnyOf, [Value(clause.field, v) for v in values[clause]]))
        elif not isinstance(clause, Dates) and ran is not None:
            echo.append(ran)
            ran = None
    return echo


def query_filters(
    tree: Clause, lifted: list[tuple[Value, tuple[str, ...]]]
) -> tuple[list[QueryFilter], str]:
    """Each filter the text holds, with the text that drops it; and the text without any."""
    top = top_level(tree)
    values = dict(lifted)
    filters = []
    held = []
    for clause in top:
        if isinstance(clause, Value) and clause in values:
            facet, found = FILTER_FACETS[clause.field], values[clause]
        elif isinstance(clause, Dates):
            facet, found = "date", ()
        else:
            continue
        held.append(clause)
        without = " ".join(_paren(c) for c in top if c != clause)
        filters.append(QueryFilter(facet, found, describe(clause), without))  # type: ignore[arg-type]
    return filters, " ".join(_paren(c) for c in top if c not in held)


def _paren(clause: Clause) -> str:
    text = describe(clause)
    return f"({text})" if isinstance(clause, All | AnyOf) else text


def top_level(tree: Clause) -> tuple[Clause, ...]:
    return tree.clauses if isinstance(tree, All) else (tree,)


def facet_term(fieldname: str, text: str, vocab: Vocabulary, notices: list[str]) -> wq.Query:
    wanted = text.strip().lower()
    if fieldname == "source":
        values = list(vocab.sources)
        names = {v: v for v in values}
    else:
        values = list(vocab.topics)
        names = {v: vocab.topic_labels.get(v, v) for v in values}
    exact = [v for v in values if v.lower() == wanted or names[v].lower() == wanted]
    found = exact or [
        v for v in values if v.lower().startswith(wanted) or names[v].lower().startswith(wanted)
    ]
    label = "source" if fieldname == "source" else "topic"
    if not found:
        notices.append(f"No {label} matches {shown(text)}.")
        return wq.Term(fieldname, NOTHING)
    if len(found) == 1:
        return wq.Term(fieldname, found[0])
    return wq.Or([wq.Term(fieldname, v) for v in found])
