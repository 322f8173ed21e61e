"""Query text -> a Whoosh query over the story fields, plus the dates the text asked for.

The language: plain words (all must match, or any with ``match=any``), ``"phrases"``,
``AND``/``OR``/``NOT``/``-word``, parentheses, ``title:`` (``intitle:``, ``headline:``),
``source:``, ``topic:``, ``caption:``, prefixes ``elect*``, and dates: ``after:2025-05-01``
(on or after), ``before:2025-06-01`` (before), ``when:7d`` (``h``/``d``/``w``/``m``/``y``),
``date:2025-05``, ``date:[2025-05-01 to 2025-05-31]`` (read by ``query_dates``).

Text that does not parse still searches its words and says so in a notice; nothing here raises
for any input. Source and topic values are matched without regard to case against the values
the index holds (``source:reuters`` finds ``Reuters``), so the query never needs exact spelling.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from whoosh import query as wq
from whoosh.qparser import (
    AndGroup,
    FieldAliasPlugin,
    MultifieldParser,
    OrGroup,
    PlusMinusPlugin,
    PrefixPlugin,
    RangePlugin,
    WildcardPlugin,
)

from search.indexing.analysis import WORD, normalise, stem
from search.indexing.schema import StorySchema
from search.models import Match
from search.searching.query_dates import take_dates

TEXT_FIELDS = ("title", "teaser", "body", "captions")
FIELD_NAMES = {"title": "headline", "teaser": "teaser", "body": "body", "captions": "caption"}
"""Each text field as a reader names it (``matched_in``)."""
PREFIX_CAP = 50
"""A prefix expands to at most this many terms, the most frequent first."""
EXPANSION_BUDGET = 64
"""All the prefixes of one query expand to at most this many terms together."""
MIN_SHARE = 2
"""Each prefix gets at least this many terms; prefixes past the budget are left out."""
_NOTHING = "\x00nothing"
"""A term no field holds: what an unknown ``source:`` value matches."""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What the query needs to know about the index: facet values and a prefix expander."""

    sources: Sequence[str]
    topics: Sequence[str]
    topic_labels: dict[str, str]
    expand_prefix: Callable[[str, int], Sequence[tuple[str, int]]]
    """``(prefix, limit) -> [(term, stories holding it)]`` over the text fields, the most
    frequent first, at most ``limit``."""


@dataclass(slots=True)
class Compiled:
    """A query ready to run."""

    query: wq.Query | None
    """``None``: no words to search for; browse everything the filters allow."""
    date_from: datetime | None = None
    date_to: datetime | None = None
    """Exclusive upper bound."""
    notices: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    """The plain words typed, in order (for spelling suggestions and any-word retries)."""


def compile_query(text: str, match: Match, vocab: Vocabulary, now: datetime) -> Compiled:
    """Parse ``text``; whatever it holds, return something that searches."""
    notices: list[str] = []
    rest, date_from, date_to = take_dates(text, now, notices)
    rest = _tidy(rest, notices)
    words = [w for w in WORD.findall(_strip_fields(rest)) if normalise(w) is not None]
    compiled = Compiled(None, date_from, date_to, notices, words)
    if not rest.strip():
        return compiled
    try:
        parsed = _parser(match).parse(rest)
        room = _Expansion.for_query(parsed)
        parsed = _resolve(parsed, vocab, notices, room)
        notices.extend(room.notices())
    except Exception:  # Whoosh's parser fails in odd ways on odd input; words still search
        parsed = wq.NullQuery
    if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
        if words and _ONLY_NEGATIONS.fullmatch(rest):
            # "-oil" alone: everything but oil (Whoosh's parser drops a query with no
            # positive part).
            positive = _parser("any").parse(_NEGATION.sub(" ", rest))
            parsed = wq.Not(_resolve(positive, vocab, notices, _Expansion.for_query(positive)))
        elif words:
            notices.append("Could not read the query syntax; searched for the words instead.")
            plain = _parser(match).parse(" ".join(words))
            parsed = _resolve(plain, vocab, notices, _Expansion.for_query(plain))
        elif WORD.search(rest):
            notices.append("Only very common words were given; showing all stories.")
            parsed = None
        else:
            parsed = None
    compiled.query = parsed
    return compiled


def describe(q: wq.Query | None, spelled: dict[str, str] | None = None) -> str:
    """A query in the query language, as the engine ran it; ``spelled`` maps indexed terms
    back to the words as typed (``elect`` -> ``elections``)."""
    return "" if q is None else _Describer(spelled or {}).query(q)


class _Describer:
    def __init__(self, spelled: dict[str, str]) -> None:
        self.spelled = spelled

    def query(self, q: wq.Query) -> str:
        if isinstance(q, PrefixExpansion):
            return self.leaf(q, with_field=True)
        if isinstance(q, wq.Or) and _same_across_text_fields(q.subqueries):
            return self.leaf(q.subqueries[0], with_field=False)
        if isinstance(q, wq.And):
            return " AND ".join(self.paren(s) for s in q.subqueries)
        if isinstance(q, wq.Or):
            return " OR ".join(self.paren(s) for s in q.subqueries)
        if isinstance(q, wq.AndNot):
            positive = self.query(q.a) if isinstance(q.a, wq.And) else self.paren(q.a)
            return f"{positive} AND NOT {self.paren(q.b)}"
        if isinstance(q, wq.Not):
            return f"NOT {self.paren(q.query)}"
        if isinstance(q, wq.AndMaybe):
            return f"{self.paren(q.a)} ANDMAYBE {self.paren(q.b)}"
        return self.leaf(q, with_field=True)

    def leaf(self, q: wq.Query, with_field: bool) -> str:
        prefix = ""
        fieldname = _field_of(q)
        if with_field and fieldname:
            prefix = {"captions": "caption", "topics": "topic"}.get(fieldname, fieldname) + ":"
        if isinstance(q, PrefixExpansion):
            return f"{prefix}{q.prefix}*"
        if isinstance(q, wq.Phrase):
            return f'{prefix}"{" ".join(self.spelled.get(w, w) for w in q.words)}"'
        if isinstance(q, wq.Term):
            text = str(q.text)
            if fieldname in TEXT_FIELDS:
                text = self.spelled.get(text, text)
            return f'{prefix}"{text}"' if " " in text else f"{prefix}{text}"
        return str(q)

    def paren(self, q: wq.Query) -> str:
        text = self.query(q)
        compound = isinstance(q, wq.And | wq.AndNot) or (
            isinstance(q, wq.Or)
            and not isinstance(q, PrefixExpansion)
            and not _same_across_text_fields(q.subqueries)
        )
        return f"({text})" if compound else text


def spelled_terms(text: str) -> dict[str, str]:
    """Each indexed term of ``text`` mapped to the first word typed for it, in lower case."""
    spelled: dict[str, str] = {}
    for word in WORD.findall(text):
        term = normalise(word)
        if term is not None:
            spelled.setdefault(term, word.lower())
    return spelled


def positive_terms(q: wq.Query | None) -> set[str]:
    """The text-field terms a matching story may hold (negated parts left out)."""
    found: set[str] = set()

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if isinstance(node, wq.Term) and node.fieldname in TEXT_FIELDS:
            found.add(str(node.text))
        elif isinstance(node, wq.Phrase) and node.fieldname in TEXT_FIELDS:
            found.update(node.words)
        for child in node.children():
            walk(child)

    if q is not None:
        walk(q)
    return found


@functools.cache
def _parser(match: Match) -> MultifieldParser:
    """One parser per match mode, made once (parsing keeps no state in the parser)."""
    group = AndGroup if match == "all" else OrGroup.factory(0.9)
    parser = MultifieldParser(list(TEXT_FIELDS), schema=StorySchema(), group=group)
    parser.add_plugin(PlusMinusPlugin())
    parser.add_plugin(
        FieldAliasPlugin(
            {"title": ["intitle", "headline"], "captions": ["caption"], "topics": ["topic"]}
        )
    )
    parser.remove_plugin_class(WildcardPlugin)  # prefixes only: leading wildcards scan it all
    # Term ranges (``[a TO z]``) would walk the whole term table; the language has none.
    parser.remove_plugin_class(RangePlugin)
    parser.add_plugin(PrefixPlugin())
    return parser


@dataclass(slots=True)
class _Expansion:
    """How many terms each prefix of one query may expand to, so that all of them together
    stay within ``EXPANSION_BUDGET``; each prefix is expanded once for every field."""

    share: int
    allowed: int
    """How many distinct prefixes may expand; the ones after are left out."""
    done: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    cut: list[str] = field(default_factory=list)
    """Prefixes that matched more than ``share`` terms."""
    dropped: list[str] = field(default_factory=list)

    @classmethod
    def for_query(cls, q: wq.Query) -> _Expansion:
        distinct = len(
            {
                node.text
                for node in q.leaves()
                if isinstance(node, wq.Prefix) and node.fieldname in TEXT_FIELDS
            }
        )
        share = min(PREFIX_CAP, max(MIN_SHARE, EXPANSION_BUDGET // max(distinct, 1)))
        return cls(share, EXPANSION_BUDGET // share)

    def terms(self, typed: str, vocab: Vocabulary) -> list[tuple[str, int]]:
        """The terms ``typed*`` stands for (the same list for every field)."""
        found = self.done.get(typed)
        if found is not None:
            return found
        if len(self.done) >= self.allowed:
            self.dropped.append(typed)
            found = []
        else:
            # The index holds stems: "lighthouse*" must reach "lighthous", so a prefix is cut
            # back to what it shares with its own stem.
            prefix = os.path.commonprefix([typed, stem(typed)]) if typed.isalpha() else typed
            found = list(vocab.expand_prefix(prefix or typed, self.share + 1))
            if len(found) > self.share:
                found = found[: self.share]
                self.cut.append(typed)
        self.done[typed] = found
        return found

    def notices(self) -> list[str]:
        out = []
        if self.cut:
            listed = ", ".join(f"{p}*" for p in self.cut[:5])
            more = f" and {len(self.cut) - 5} more" if len(self.cut) > 5 else ""
            out.append(
                f"{listed}{more} matched many words; searched the {self.share} most "
                f"frequent of each."
            )
        if self.dropped:
            listed = ", ".join(f"{p}*" for p in self.dropped[:5])
            out.append(f"Too many prefixes: left out {listed}.")
        return out


def _resolve(q: wq.Query, vocab: Vocabulary, notices: list[str], room: _Expansion) -> wq.Query:
    """Map ``source:``/``topic:`` to the index's values and expand prefixes, capped."""
    if isinstance(q, wq.Term | wq.Phrase | wq.Prefix) and q.fieldname in ("source", "topics"):
        text = " ".join(q.words) if isinstance(q, wq.Phrase) else str(q.text)
        return _facet_term(q.fieldname, text, vocab, notices)
    if isinstance(q, wq.Or) and _same_across_text_fields(q.subqueries):
        if isinstance(q.subqueries[0], wq.Prefix):
            return _expand(q.subqueries[0], vocab, room, fields=TEXT_FIELDS)
    if isinstance(q, wq.Prefix) and q.fieldname in TEXT_FIELDS:
        return _expand(q, vocab, room, fields=(q.fieldname,))
    if isinstance(q, wq.Prefix | wq.Wildcard | wq.FuzzyTerm | wq.Variations):
        return wq.Term(q.fieldname, _NOTHING)
    return q.apply(lambda child: _resolve(child, vocab, notices, room))


def _facet_term(fieldname: str, text: str, vocab: Vocabulary, notices: list[str]) -> wq.Query:
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
        notices.append(f"No {label} matches {text!r}.")
        return wq.Term(fieldname, _NOTHING)
    if len(found) == 1:
        return wq.Term(fieldname, found[0])
    return wq.Or([wq.Term(fieldname, v) for v in found])


def _expand(q: wq.Prefix, vocab: Vocabulary, room: _Expansion, fields: Sequence[str]) -> wq.Query:
    """The prefix as the terms it stands for, the same list in each of ``fields``, so that
    ``elect*`` reads as one list of words."""
    typed = str(q.text)
    found = room.terms(typed, vocab)
    if not found:
        return wq.Term(q.fieldname, _NOTHING)
    expansion = [
        PrefixExpansion(typed, [wq.Term(name, term) for term, _ in found]) for name in fields
    ]
    return expansion[0] if len(expansion) == 1 else wq.Or(expansion)


class PrefixExpansion(wq.Or):
    """The words a prefix (``elect*``) stood for, remembering the prefix for the echo."""

    def __init__(self, prefix: str, subqueries: list[wq.Query]) -> None:
        super().__init__(subqueries)
        self.prefix = prefix


def _tidy(text: str, notices: list[str]) -> str:
    """Drop what the parser would misread, saying so: an unmatched quote or parenthesis,
    a field name with nothing after it."""
    if text.count('"') % 2:
        at = text.rfind('"')
        text = text[:at] + " " + text[at + 1 :]
        notices.append("Ignored a quote mark with no partner; searched those words separately.")
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth != 0:
        text = text.replace("(", " ").replace(")", " ")
        notices.append("Ignored unmatched parentheses.")
    empty = _EMPTY_FIELD.findall(text)
    if empty:
        text = _EMPTY_FIELD.sub(" ", text)
        names = ", ".join(f"{name}:" for name in dict.fromkeys(empty))
        notices.append(f"Ignored {names} with nothing after it.")
    return text


_EMPTY_FIELD = re.compile(r"(?<!\S)(\w+):(?=\s|$)")


_FIELD_PREFIX = re.compile(r"\b\w+:")
_NEGATION = re.compile(r"(?:(?<!\S)-|\bNOT\s+)")
_ONLY_NEGATIONS = re.compile(r"\s*(?:(?:-|NOT\s+)(?:\"[^\"]*\"|\S+)\s*)+")


def _strip_fields(text: str) -> str:
    return _FIELD_PREFIX.sub(" ", text.replace('"', " "))


def _same_across_text_fields(subqueries: Sequence[wq.Query]) -> bool:
    """An ``Or`` the multi-field parser made from one word or phrase (one per text field)."""
    if len(subqueries) != len(TEXT_FIELDS):
        return False
    first = subqueries[0]
    return all(
        type(s) is type(first) and _field_of(s) == name and _leaf_key(s) == _leaf_key(first)
        for s, name in zip(subqueries, TEXT_FIELDS, strict=True)
    )


def _field_of(q: wq.Query) -> str | None:
    if isinstance(q, PrefixExpansion) and q.subqueries:
        return q.subqueries[0].fieldname
    return getattr(q, "fieldname", None)


def _leaf_key(q: wq.Query) -> object:
    if isinstance(q, PrefixExpansion):
        return q.prefix
    if isinstance(q, wq.Phrase):
        return tuple(q.words)
    if isinstance(q, wq.Term):
        return q.text
    if isinstance(q, wq.Or):
        return tuple(_leaf_key(s) for s in q.subqueries)
    return None
