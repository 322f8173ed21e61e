"""Query text -> the matcher's query over the story fields, the dates asked for, and the echo.

``reader.read`` reads the text into a clause tree by the language's written rules
(``docs/searching.md``); here each clause meets the index: a token is analysed exactly as the
index was (``analysis.token_terms``: a token of several terms is a phrase of them in every text
field), ``source:``/``topic:`` values are matched against the values the index holds, prefixes
are expanded within one budget, dates become ``DateSpan`` nodes (those at the top level filters),
and a very long query keeps its most telling terms. Nothing here raises for any input, and text
with nothing searchable in it finds nothing (only an empty query browses everything).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from whoosh import query as wq

from search.indexing.analysis import STOP_WORDS, TOKEN, as_terms, clean, fold, token_terms
from search.models import Match, QueryFilter
from search.searching.clauses import All, AnyOf, Clause, Dates, Must, Not, Text, Value, describe
from search.searching.clauses import join as join_clauses
from search.searching.expansion import Expansion, PrefixExpansion
from search.searching.matching import DateSpan
from search.searching.query_filters import (
    NOTHING,
    echo,
    facet_term,
    lift_values,
    query_filters,
    top_level,
)
from search.searching.reader import read, shown

TEXT_FIELDS = ("title", "teaser", "body", "captions")
FIELD_NAMES = {"title": "headline", "teaser": "teaser", "body": "body", "captions": "caption"}
"""Each text field as a reader names it (``matched_in``)."""
MAX_TERMS = 64
"""A query searches at most this many distinct terms: the rarest in the index (highest idf)."""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What the query needs to know about the index: facet values, a prefix expander and
    how many stories hold a term."""

    sources: Sequence[str]
    topics: Sequence[str]
    topic_labels: dict[str, str]
    expand_prefix: Callable[[str, int], Sequence[tuple[str, int]]]
    """``(prefix, limit) -> [(term, stories holding it)]`` over the text fields, the most
    frequent first, at most ``limit``."""
    frequencies: Callable[[Collection[str]], dict[str, int]] = lambda terms: dict.fromkeys(terms, 0)
    """How many stories hold each of the terms (summed over the text fields)."""


@dataclass(slots=True)
class Compiled:
    """A query ready to run."""

    query: wq.Query | None
    """``None``: no query at all; browse everything the filters allow."""
    date_from: datetime | None = None
    date_to: datetime | None = None
    """Exclusive upper bound."""
    notices: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    """The plain words typed, in order (for spelling suggestions and any-word retries)."""
    interpreted: str = ""
    """The query as it ran, in the query language."""
    filters: list[QueryFilter] = field(default_factory=list)
    """The source, topic, kind and date clauses that every match must satisfy, taken out
    of the query to be applied as filters."""
    unfiltered: str = ""
    """The query text without any of ``filters``."""


def compile_query(text: str, match: Match, vocab: Vocabulary, now: datetime) -> Compiled:
    """Read ``text`` and make it a query; whatever it holds, return something that runs."""
    found = read(text, now, match)
    compiled = Compiled(None, notices=found.notices)
    if found.tree is None:
        if text.strip():
            compiled.query = wq.NullQuery
            compiled.notices.append(_nothing_notice(found.dropped))
        return compiled
    builder = _Builder(
        vocab,
        compiled.notices,
        Expansion.for_prefixes({fold(c.text) for c in _leaves(found.tree) if c.prefix}),
        loose=match == "any",
    )
    builder.analyse(found.tree)
    builder.keep_most_telling()
    tree, compiled.date_from, compiled.date_to = _top_dates(found.tree)
    tree, lifted = lift_values(tree, vocab) if tree is not None else (None, [])
    compiled.filters, compiled.unfiltered = query_filters(found.tree, lifted)
    query, ran = builder.build(tree) if tree is not None else (None, None)
    compiled.notices.extend(builder.room.notices())
    if builder.unsearchable:
        listed = ", ".join(shown(t) for t in dict.fromkeys(builder.unsearchable[:5]))
        if query is not None or tree is None:
            compiled.notices.append(f"Left out {listed}: nothing in it can be searched.")
    if query is None and tree is not None:
        query = wq.NullQuery
        dropped = [*found.dropped, *builder.unsearchable, *builder.punctuation]
        compiled.notices.append(_nothing_notice(dropped))
    compiled.query = query
    compiled.words = builder.words
    dates = [c for c in top_level(found.tree) if isinstance(c, Dates)]
    compiled.interpreted = describe(join_clauses(All, [*echo(found.tree, lifted, ran), *dates]))
    return compiled


def _nothing_notice(dropped: list[str]) -> str:
    listed = ", ".join(shown(t) for t in dict.fromkeys(dropped[:5]))
    what = f" ({listed})" if listed else ""
    return f"Nothing in the query can be searched{what}; no stories match."


def _punctuation(text: str) -> bool:
    """Whether ``text`` is punctuation only (``.``, ``—``, ``…``), left out without a word."""
    return all(unicodedata.category(c).startswith("P") for c in text)


def _top_dates(tree: Clause) -> tuple[Clause | None, datetime | None, datetime | None]:
    """The tree without the dates that every match must fall in, and the bounds they set
    (applied as filters over the published column, like ``from``/``to``)."""
    starts: list[datetime] = []
    ends: list[datetime] = []
    rest = []
    for clause in top_level(tree):
        if isinstance(clause, Dates):
            if clause.start is not None:
                starts.append(clause.start)
            if clause.end is not None:
                ends.append(clause.end)
        else:
            rest.append(clause)
    return join_clauses(All, rest), max(starts, default=None), min(ends, default=None)


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


def text_terms(text: str) -> list[str]:
    """The indexed terms of one token or phrase as typed."""
    return [t for token in TOKEN.findall(clean(text)) for t in as_terms(token_terms(token))]


class _Builder:
    """Clause tree -> Whoosh query objects (and the tree of what ran, for the echo)."""

    def __init__(
        self, vocab: Vocabulary, notices: list[str], room: Expansion, loose: bool = False
    ) -> None:
        self.vocab = vocab
        self.loose = loose
        """Any-word matching: a compound needs all its words, not side by side."""
        self.notices = notices
        self.room = room
        self.terms: dict[Text, list[str]] = {}
        self.left_out: set[Text] = set()
        self.unsearchable: list[str] = []
        self.punctuation: list[str] = []
        self.words: list[str] = []

    def analyse(self, clause: Clause, negated: bool = False) -> None:
        """Find the terms of every ``Text`` clause, and the plain words typed."""
        if isinstance(clause, Text):
            if not clause.prefix and clause not in self.terms:
                self.terms[clause] = text_terms(clause.text)
                single = not clause.quoted and len(self.terms[clause]) == 1
                if single and not negated and clause.text.isalpha():
                    self.words.append(clause.text)
        elif isinstance(clause, All | AnyOf):
            for child in clause.clauses:
                self.analyse(child, negated)
        elif isinstance(clause, Not | Must):
            self.analyse(clause.clause, negated or isinstance(clause, Not))

    def keep_most_telling(self) -> None:
        """Past ``MAX_TERMS`` distinct terms, keep the clauses whose terms are rarest in the
        index (the most informative by idf); terms no story holds come last."""
        distinct = {t for found in self.terms.values() for t in found}
        if len(distinct) <= MAX_TERMS:
            return
        frequency = self.vocab.frequencies(distinct)

        def rarity(item: tuple[int, Text]) -> tuple[int, int]:
            place, clause = item
            held = [frequency[t] for t in self.terms[clause] if frequency[t]]
            return (min(held) if held else 1 << 62), place

        kept: set[str] = set()
        for _, clause in sorted(enumerate(self.terms), key=rarity):
            found = set(self.terms[clause])
            if found and len(kept | found) > MAX_TERMS:
                self.left_out.add(clause)
            else:
                kept |= found
        listed = ", ".join([shown(c.text, 20) for c in self.terms if c in self.left_out][:5])
        self.notices.append(
            f"A long query: searched its {len(kept)} most telling words of {len(distinct)} "
            f"and left out the others ({listed}, …)."
        )

    def build(self, clause: Clause) -> tuple[wq.Query | None, Clause | None]:
        if isinstance(clause, Text):
            return self.text(clause)
        if isinstance(clause, Value):
            return self.value(clause)
        if isinstance(clause, Dates):
            return DateSpan(clause.start, clause.end), clause
        if isinstance(clause, Not | Must):
            inner, ran = self.build(clause.clause)
            if inner is None or ran is None:
                return None, None
            return (wq.Not(inner) if isinstance(clause, Not) else inner), type(clause)(ran)
        pairs: list[tuple[wq.Query, Clause]] = []
        ran: list[Clause | None] = []
        seen: set[wq.Query] = set()
        for child in clause.clauses:
            q, child_ran = self.build(child)
            # The same query twice counts once ("bone, bone cells"), as Whoosh's normalising
            # did: a word repeated in a pasted paragraph is not worth twice its score.
            if q is not None and q not in seen:
                seen.add(q)
                pairs.append((q, child))
                ran.append(child_ran)
        if not pairs:
            return None, None
        ran_tree = join_clauses(type(clause), ran)
        if len(pairs) == 1:
            return pairs[0][0], ran_tree
        if isinstance(clause, All):
            return _all(pairs), ran_tree
        return _any(pairs), ran_tree

    def text(self, clause: Text) -> tuple[wq.Query | None, Clause | None]:
        fields = (clause.field,) if clause.field else TEXT_FIELDS
        if clause.prefix and len(text_terms(clause.text)) > 1:
            # "semi-fi*": a phrase cannot end in a prefix; the compound is searched whole.
            self.notices.append(
                f"* after a compound is not supported: searched {shown(clause.text)}."
            )
            clause = Text(clause.text, clause.field, clause.quoted)
        elif clause.prefix:
            return self.prefix(clause, fields), clause
        if clause in self.left_out:
            return None, None
        found = self.terms.get(clause) or text_terms(clause.text)
        if not found:
            tokens = TOKEN.findall(clean(clause.text))
            if _punctuation(clause.text):
                self.punctuation.append(clause.text)  # "." ends a pasted sentence: no loss
            elif not tokens or any(fold(t) not in STOP_WORDS for t in tokens):
                self.unsearchable.append(clause.text)  # "C++", "$", not "the" nor "AS."
            return None, None
        if len(found) == 1:
            return _in_fields(found[0], fields), clause
        if self.loose and not clause.quoted:
            # A pasted paragraph writes "shock-sound" where the stories write "shock and
            # sound": better ranking on CRAN and MED than the phrase (docs/benchmarks.md).
            words = [_in_fields(w, fields) for w in dict.fromkeys(found)]
            return (words[0] if len(words) == 1 else wq.And(words)), clause
        phrases = [wq.Phrase(f, found) for f in fields]
        return (phrases[0] if len(phrases) == 1 else wq.Or(phrases)), clause

    def prefix(self, clause: Text, fields: Sequence[str]) -> wq.Query:
        typed = fold(clause.text)
        found = self.room.terms(typed, self.vocab.expand_prefix)
        if not found:
            return wq.Term(fields[0], NOTHING)
        expansion = [
            PrefixExpansion(typed, [wq.Term(name, term) for term, _ in found]) for name in fields
        ]
        return expansion[0] if len(expansion) == 1 else wq.Or(expansion)

    def value(self, clause: Value) -> tuple[wq.Query, Clause]:
        """The value's query, and the values it found for the echo (``source:valley`` ran
        as ``source:"Valley Gazette"``)."""
        if clause.field == "kind":
            return wq.Term("kind", clause.value.lower()), clause
        if clause.field not in ("source", "topics"):
            return wq.Term(clause.field, clause.value), clause
        q = facet_term(clause.field, clause.value, self.vocab, self.notices)
        found = [str(t.text) for t in q.leaves() if str(t.text) != NOTHING]
        if not found:
            return q, clause
        return q, join_clauses(AnyOf, [Value(clause.field, v) for v in found]) or clause


def _in_fields(word: str, fields: Sequence[str]) -> wq.Query:
    leaves = [wq.Term(f, word) for f in fields]
    return leaves[0] if len(leaves) == 1 else wq.Or(leaves)


def _all(pairs: list[tuple[wq.Query, Clause]]) -> wq.Query:
    """Clauses all required: ``a AND NOT b`` as Whoosh's parser made it (``AndNot``)."""
    wanted = [q for q, c in pairs if not isinstance(c, Not)]
    banned = [q.query for q, c in pairs if isinstance(c, Not) and isinstance(q, wq.Not)]
    if not banned:
        return wq.And(wanted)
    excluded = banned[0] if len(banned) == 1 else wq.Or(banned)
    if not wanted:
        return wq.Not(excluded)
    return wq.AndNot(wanted[0] if len(wanted) == 1 else wq.And(wanted), excluded)


def _any(pairs: list[tuple[wq.Query, Clause]]) -> wq.Query:
    """Any of the clauses; ``+word`` ones required, the others adding to the score."""
    musts = [q for q, c in pairs if isinstance(c, Must)]
    rest = [q for q, c in pairs if not isinstance(c, Must)]
    if not musts:
        return wq.Or(rest)
    required = musts[0] if len(musts) == 1 else wq.And(musts)
    if not rest:
        return required
    return wq.AndMaybe(required, rest[0] if len(rest) == 1 else wq.Or(rest))


def _leaves(clause: Clause) -> list[Text]:
    if isinstance(clause, Text):
        return [clause]
    if isinstance(clause, All | AnyOf):
        return [leaf for c in clause.clauses for leaf in _leaves(c)]
    if isinstance(clause, Not | Must):
        return _leaves(clause.clause)
    return []
