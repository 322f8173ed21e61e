"""The clause tree a query is read into (``reader.read``), and its echo in the query language.

A tree is what a person asked for, before it meets the index: words and phrases to analyse
(``Text``), field values taken whole (``Value``), spans of publication time (``Dates``), and
the ways to combine them (``All``, ``AnyOf``, ``Not``, ``Must``). ``query.compile_query`` turns
it into the matcher's query objects. ``describe`` writes a tree back in the language that
``docs/searching.md`` documents, so the echo a person sees can be typed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Text:
    """Words to analyse: one token (``semi-final``), a quoted phrase, or a prefix."""

    text: str
    field: str | None = None
    """A text field (``title``), or ``None`` for all of them."""
    quoted: bool = False
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Value:
    """A field value taken whole: ``source:"Japan Times"``, ``topic:money-fx``."""

    field: str
    value: str


@dataclass(frozen=True, slots=True)
class Dates:
    """Published in ``[start, end)``; ``None`` leaves a side open."""

    start: datetime | None
    end: datetime | None
    typed: str
    """As written (``date:1987-03``), for the echo."""


@dataclass(frozen=True, slots=True)
class All:
    clauses: tuple[Clause, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    clauses: tuple[Clause, ...]


@dataclass(frozen=True, slots=True)
class Not:
    clause: Clause


@dataclass(frozen=True, slots=True)
class Must:
    """``+word``: required even when the other words are any-of."""

    clause: Clause


Clause = Text | Value | Dates | All | AnyOf | Not | Must

_FIELD_NAMES = {"title": "title:", "captions": "caption:", "teaser": "teaser:", "body": "body:"}


def join(kind: type[All] | type[AnyOf], clauses: list[Clause | None]) -> Clause | None:
    """``clauses`` joined by ``kind``, nested joins of the same kind flattened; ``None`` when
    there is none, the clause itself when there is one."""
    present = [c for c in clauses if c is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    flat: list[Clause] = []
    for clause in present:
        flat.extend(clause.clauses if isinstance(clause, kind) else (clause,))
    # A clause twice counts once, either way ("bone, bone development"), as Whoosh's query
    # normalising did: a word repeated in a pasted paragraph is not worth twice its score.
    flat = list(dict.fromkeys(flat))
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def describe(clause: Clause | None) -> str:
    """The tree in the documented language, as ``query.interpreted`` shows it."""
    if clause is None:
        return ""
    if isinstance(clause, Text):
        head = _FIELD_NAMES.get(clause.field or "", "")
        if clause.quoted:
            return f'{head}"{clause.text}"'
        return f"{head}{clause.text}{'*' if clause.prefix else ''}"
    if isinstance(clause, Value):
        name = {"topics": "topic"}.get(clause.field, clause.field)
        value = f'"{clause.value}"' if " " in clause.value else clause.value
        return f"{name}:{value}"
    if isinstance(clause, Dates):
        return clause.typed
    if isinstance(clause, Not):
        return f"NOT {_paren(clause.clause)}"
    if isinstance(clause, Must):
        return f"+{_paren(clause.clause)}"
    word = " AND " if isinstance(clause, All) else " OR "
    return word.join(_paren(c) for c in clause.clauses)


def _paren(clause: Clause) -> str:
    text = describe(clause)
    return f"({text})" if isinstance(clause, All | AnyOf) else text
