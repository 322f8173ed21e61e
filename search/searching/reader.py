"""The query reader: what people type into a news search box, read by written rules.

``read(text, now, match)`` turns query text into a tree of clauses (``clauses``) and the
notices a person should see; it never fails and never looks at the index. The rules
(``docs/searching.md`` is their contract):

- Text is normalised first: Unicode NFKC, zero-width characters removed, curly and angle
  double quotes made ``"``, curly single quotes made ``'``, control characters made spaces.
- Operators only where people mean them: ``-word``, ``!word`` (not) and ``+word`` (must) at
  the start of a token; ``OR``, ``|``, ``||``, ``AND``, ``&&``, ``NOT`` as tokens of their own,
  the words in capitals only (a lowercase ``or``/``not`` is a word, with a notice). A lone
  ``-``, ``+`` or ``!`` is ignored. ``NOT`` binds tighter than ``AND``, ``AND`` than ``OR``.
- Field names ignore case; a ``name:`` that is not a field is plain text. A known field with a
  space after it applies to the next token. ``source:``, ``topic:``, ``kind:`` and ``id:``
  take their value whole (``topic:money-fx``); text fields take a word, a phrase or a group.
- Dates are clauses like any other (``NOT date:1987-03`` means what it says; ``query_dates``
  reads their values). A value that is not a date is dropped whole, with a notice.
- ``*`` only at the end of a word of two characters or more; other syntax from other engines
  (``~``, ``^2``, a ``*`` elsewhere, ``[a TO b]``) is dropped with a notice naming it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from search.searching.clauses import All, AnyOf, Clause, Dates, Must, Not, Text, Value, join
from search.searching.query_dates import DATE_FIELDS, date_span

TEXT_FIELDS = {
    "title": "title",
    "headline": "title",
    "intitle": "title",
    "caption": "captions",
    "captions": "captions",
    "teaser": "teaser",
    "body": "body",
    "text": "body",
}
"""Field names a person may type for the text fields, and the field each means."""
VALUE_FIELDS = {
    "source": "source",
    "site": "source",
    "topic": "topics",
    "topics": "topics",
    "kind": "kind",
    "id": "id",
}
"""Fields whose value is taken whole, not analysed."""
MAX_DEPTH = 32
"""Parentheses nested deeper than this are ignored (the tree stays shallow enough to walk)."""

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_QUOTES = str.maketrans(
    {
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a\u301d\u301e", '"'),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
    }
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_OLD_RANGE = re.compile(r"(?i)\b(date|published):\[\s*(\S*)\s+to\s+(\S*?)\s*\]")
_BRACKETS = re.compile(r"[\[{][^\]}]*[\]}]")
_BARS = re.compile(r"\|+")
_OPERATORS = {"OR": "OR", "|": "OR", "||": "OR", "AND": "AND", "&&": "AND", "NOT": "NOT"}
_FIELD = re.compile(r"([A-Za-z_]+):(.*)", re.DOTALL)
_SIGNS = "-!+"


@dataclass(slots=True)
class Read:
    """A query as read: its tree (``None``: nothing to search for) and what was said."""

    tree: Clause | None
    notices: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    """What was typed but cannot be searched, for the notice of a query left empty."""


def normalise(text: str) -> str:
    """NFKC, zero-width characters out, quotes made plain, controls made spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).translate(_QUOTES)
    # "coffee|cocoa": a bar is never part of a word, so it is an OR wherever it stands.
    return _BARS.sub(" | ", _CONTROL.sub(" ", text))


def read(text: str, now: datetime, match: str = "all") -> Read:
    """The query tree of ``text``; ``match`` (``all``/``any``) joins words with no operator."""
    notices: list[str] = []
    text = _OLD_RANGE.sub(
        lambda m: f"{m.group(1)}:{m.group(2).strip('*')}..{m.group(3).strip('*')}",
        normalise(text),
    )
    for bracket in dict.fromkeys(_BRACKETS.findall(text)):
        notices.append(f"Ranges like {shown(bracket)} are not supported; left it out.")
    text = _BRACKETS.sub(" ", text)
    parser = _Parser(list(_tokens(text, notices)), now, match, notices)
    tree = parser.query()
    return Read(tree, notices, parser.dropped)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    """``word``, ``phrase``, ``field``, ``op``, ``open``, ``close``, ``sign``."""
    text: str


def _tokens(text: str, notices: list[str]) -> Iterator[_Token]:
    """The query's tokens, in order: words, quoted phrases, operators, signs, fields."""
    at, end = 0, len(text)
    lowercase_ops: set[str] = set()
    while at < end:
        char = text[at]
        if char.isspace():
            at += 1
        elif char in "()":
            yield _Token("open" if char == "(" else "close", char)
            at += 1
        elif char == '"':
            close = text.find('"', at + 1)
            if close < 0:
                notices.append("Ignored a quote mark with no partner.")
                at += 1
                continue
            yield _Token("phrase", text[at + 1 : close])
            at = close + 1
        elif char in _SIGNS and at + 1 < end and not text[at + 1].isspace():
            yield _Token("sign", char)
            at += 1
        else:
            stop = at
            while stop < end and not text[stop].isspace() and text[stop] not in '()"':
                stop += 1
            word = text[at:stop]
            at = stop
            m = _FIELD.fullmatch(word)
            if stop < end and text[stop] == '"' and m and not m.group(2) and _known(m.group(1)):
                yield _Token("field", m.group(1))  # field:"a phrase"
            elif word in _OPERATORS:
                yield _Token("op", _OPERATORS[word])
            elif all(c in _SIGNS for c in word):
                continue  # a lone sign means nothing
            elif m and _known(m.group(1)):
                yield _Token("field", m.group(1))
                if m.group(2):
                    yield _Token("word", m.group(2))
            elif m:  # not a field: "Brazil: coffee", "author:smith" are words
                for part in (m.group(1), m.group(2)):
                    if part.strip(":"):
                        yield _Token("word", part.strip(":"))
            else:
                if word in ("or", "not", "Or", "Not") and word.lower() not in lowercase_ops:
                    lowercase_ops.add(word.lower())
                    notices.append(
                        f"Searched {word!r} as a word; write {word.upper()} in capitals "
                        "to use it as an operator."
                    )
                yield _Token("word", word)


def _known(name: str) -> bool:
    name = name.casefold()
    return name in TEXT_FIELDS or name in VALUE_FIELDS or name in DATE_FIELDS


def shown(typed: str, most: int = 40) -> str:
    """``typed`` quoted for a notice, cut when long."""
    return repr(typed if len(typed) <= most else typed[: most - 1] + "\u2026")


class _Parser:
    """Recursive descent over the tokens: ``either`` (OR) > ``both`` (AND) > ``unary``."""

    def __init__(self, tokens: list[_Token], now: datetime, match: str, notices: list[str]):
        self.tokens = tokens
        self.at = 0
        self.now = now
        self.implicit = All if match == "all" else AnyOf
        self.notices = notices
        self.dropped: list[str] = []
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def query(self) -> Clause | None:
        clauses: list[Clause | None] = []
        while self.peek() is not None:
            clauses.append(self.either())
            token = self.peek()
            if token is not None and token.kind == "close":
                self.take()
                self.say("Ignored a closing parenthesis with no partner.")
        return self.join_implicit(clauses)

    def say(self, notice: str) -> None:
        if notice not in self.notices:
            self.notices.append(notice)

    def either(self) -> Clause | None:
        """Clauses joined by OR."""
        parts = [self.both()]
        while (token := self.peek()) is not None and token.kind == "op" and token.text == "OR":
            self.take()
            parts.append(self.both())
        return join(AnyOf, parts)

    def both(self) -> Clause | None:
        """Clauses joined by AND, which binds tighter than joining by nothing (the match
        mode decides that: ``a b AND c`` with any-word matching is ``a OR (b AND c)``)."""
        runs: list[list[Clause | None]] = []
        joined = False
        while (token := self.peek()) is not None:
            if token.kind == "close" or (token.kind == "op" and token.text == "OR"):
                break
            if token.kind == "op" and token.text == "AND":
                self.take()
                joined = bool(runs)
                continue
            clause = self.unary()
            if clause is None:
                continue
            if joined:
                runs[-1].append(clause)
            else:
                runs.append([clause])
            joined = False
        return self.join_implicit([join(All, run) for run in runs])

    def join_implicit(self, clauses: list[Clause | None]) -> Clause | None:
        """Clauses with no operator between them: all of them, or with ``match=any`` any of
        the words while exclusions (``-word``) and dates still hold for every match, as the
        words of a search box mean (``coffee cocoa -brazil date:1987``)."""
        if self.implicit is All:
            return join(All, clauses)
        held = [c for c in clauses if isinstance(c, Not | Dates)]
        return join(All, [join(AnyOf, [c for c in clauses if c not in held]), *held])

    def unary(self) -> Clause | None:
        """Any number of ``NOT``, ``-``, ``!`` and ``+`` before one clause."""
        negations, must = 0, False
        while (token := self.peek()) is not None and (
            token.kind == "sign" or (token.kind == "op" and token.text == "NOT")
        ):
            self.take()
            if token.text == "+":
                must = True
            else:
                negations += 1
        token = self.peek()
        if token is None or token.kind == "close" or token.kind == "op":
            return None
        inner = self.primary()
        if inner is None:
            return None
        if negations % 2:
            return Not(inner)
        return Must(inner) if must else inner

    def primary(self, field: str | None = None) -> Clause | None:
        token = self.take()
        if token.kind == "open":
            if self.depth >= MAX_DEPTH:
                self.say(f"Ignored parentheses nested more than {MAX_DEPTH} deep.")
                return None
            self.depth += 1
            inner = self.either()
            self.depth -= 1
            if (close := self.peek()) is not None and close.kind == "close":
                self.take()
            else:
                self.say("Closed a parenthesis left open.")
            return _in_field(inner, field) if field else inner
        if token.kind == "phrase":
            return Text(token.text, field, quoted=True) if token.text.strip() else None
        if token.kind == "field":
            return self.field(token.text)
        if token.kind == "word":
            return self.word(token.text, field)
        return None

    def field(self, name: str) -> Clause | None:
        key = name.casefold()
        following = self.peek()
        if following is None or following.kind in ("close", "op"):
            self.say(f"Ignored {name}: with nothing after it.")
            return None
        if key in DATE_FIELDS:
            value = self.take()
            return self.date(key, name, value.text)
        if key in VALUE_FIELDS:
            if following.kind in ("open", "sign"):
                inner = self.unary()
                return _values(inner, VALUE_FIELDS[key]) if inner is not None else None
            value = self.take().text.strip()
            return Value(VALUE_FIELDS[key], value) if value else None
        if following.kind in ("sign", "field"):
            return self.unary()  # "title: -x": the field has nothing of its own
        return self.primary(TEXT_FIELDS[key])

    def word(self, text: str, field: str | None) -> Clause | None:
        return _word(text, field, self.say, self.dropped)

    def date(self, op: str, name: str, value: str) -> Clause | None:
        typed = f'{name.lower()}:"{value}"' if " " in value else f"{name.lower()}:{value}"
        span = date_span(op, value, self.now)
        if span is None:
            self.say(f"{shown(typed)} is not a date; left it out.")
            self.dropped.append(typed)
            return None
        return Dates(span[0], span[1], typed)


def _word(
    text: str, field: str | None, say: Callable[[str], None], dropped: list[str]
) -> Clause | None:
    """One word as typed: a prefix when it ends in ``*``; what other engines' syntax it holds
    (``~``, ``^``, a ``*`` elsewhere) dropped with a notice."""
    typed = text
    for mark, name in (("~", "~ (fuzzy or proximity)"), ("^", "^ (boosts)")):
        if mark in text:
            text = text.split(mark, 1)[0]
            kept = f"searched {shown(text)}" if text.strip("*") else "left it out"
            say(f"{name} is not supported: {shown(typed)}, {kept}.")
    prefix = False
    if text.endswith("*"):
        stem = text.rstrip("*")
        if len(stem) >= 2 and "*" not in stem:
            text, prefix = stem, True
    if "*" in text:
        where = "after two letters or more" if len(text.strip("*")) < 2 else "at the end of a word"
        say(f"* works only {where}; left out {shown(typed)}.")
        dropped.append(typed)
        return None
    return Text(text, field, prefix=prefix) if text else None


def _in_field(clause: Clause | None, field: str) -> Clause | None:
    """A group under a text field: every word inside searched in that field."""
    return _map_text(clause, lambda t: Text(t.text, t.field or field, t.quoted, t.prefix))


def _values(clause: Clause, field: str) -> Clause | None:
    """A group under a value field: ``source:(reuters OR "japan times")``."""
    return _map_text(clause, lambda t: Value(field, t.text))


def _map_text(clause: Clause | None, leaf: Callable[[Text], Clause]) -> Clause | None:
    """``clause`` with each ``Text`` in it replaced by ``leaf(text)``."""
    if isinstance(clause, Text):
        return leaf(clause)
    if isinstance(clause, All | AnyOf):
        return join(type(clause), [_map_text(c, leaf) for c in clause.clauses])
    if isinstance(clause, Not | Must):
        inner = _map_text(clause.clause, leaf)
        return type(clause)(inner) if inner is not None else None
    return clause
