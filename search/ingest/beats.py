"""Beats: topics defined by a query in the search box's language (``taiwan OR taipei``).

A beat's query is parsed once by Whoosh's parser (``beat_parser``) and translated into a tree of
matchers (``to_matcher``) that ``Taxonomy.assign`` evaluates against one story's title and body
terms (``StoryTerms``), without an index. Queries a beat cannot honour (ranges, other fields,
only exclusions) are a ``BadTopicsFile`` naming the topic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property

from whoosh import query as wq
from whoosh.fields import TEXT, Schema
from whoosh.qparser import MultifieldParser, PlusMinusPlugin

from search.errors import BadTopicsFile
from search.indexing.analysis import NewsAnalyzer

BEAT_FIELDS = ("title", "body")


class StoryTerms:
    """One story's title and body terms, with the lookups a beat needs made on first use."""

    def __init__(self, title_terms: Sequence[str], body_terms: Sequence[str]) -> None:
        self.lists = {"title": title_terms, "body": body_terms}

    @cached_property
    def sets(self) -> dict[str, frozenset[str]]:
        return {name: frozenset(found) for name, found in self.lists.items()}

    @cached_property
    def texts(self) -> dict[str, str]:
        return {name: " " + " ".join(found) + " " for name, found in self.lists.items()}

    @cached_property
    def positions(self) -> dict[str, dict[str, list[int]]]:
        positions: dict[str, dict[str, list[int]]] = {}
        for name, found in self.lists.items():
            where: dict[str, list[int]] = {}
            for position, term in enumerate(found):
                where.setdefault(term, []).append(position)
            positions[name] = where
        return positions


class BeatMatcher:
    def matches(self, story: StoryTerms) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class _Term(BeatMatcher):
    field: str
    text: str

    def matches(self, story: StoryTerms) -> bool:
        return self.text in story.sets[self.field]


@dataclass(frozen=True)
class _Phrase(BeatMatcher):
    field: str
    words: tuple[str, ...]
    slop: int = 1
    """As in Whoosh: each word within ``slop`` positions after the one before."""

    def matches(self, story: StoryTerms) -> bool:
        if self.slop <= 1:
            return " " + " ".join(self.words) + " " in story.texts[self.field]
        where = story.positions[self.field]
        if not all(word in where for word in self.words):
            return False
        return any(self._follows(where, 1, start) for start in where[self.words[0]])

    def _follows(self, where: dict[str, list[int]], next_word: int, previous: int) -> bool:
        if next_word == len(self.words):
            return True
        return any(
            self._follows(where, next_word + 1, position)
            for position in where[self.words[next_word]]
            if previous < position <= previous + self.slop
        )


@dataclass(frozen=True)
class _Pattern(BeatMatcher):
    """A prefix (``elect*``) or wildcard (``e?ect*``), matched against the indexed terms."""

    field: str
    pattern: re.Pattern[str]

    def matches(self, story: StoryTerms) -> bool:
        match = self.pattern.match
        return any(match(term) for term in story.sets[self.field])


@dataclass(frozen=True)
class _All(BeatMatcher):
    parts: tuple[BeatMatcher, ...]

    def matches(self, story: StoryTerms) -> bool:
        return all(part.matches(story) for part in self.parts)


@dataclass(frozen=True)
class _Any(BeatMatcher):
    parts: tuple[BeatMatcher, ...]

    def matches(self, story: StoryTerms) -> bool:
        return any(part.matches(story) for part in self.parts)


@dataclass(frozen=True)
class _Not(BeatMatcher):
    part: BeatMatcher

    def matches(self, story: StoryTerms) -> bool:
        return not self.part.matches(story)


@cache
def beat_parser() -> MultifieldParser:
    """The parser beats use: the search box's syntax, over title and body.

    Words are ANDed by default, as in the search box, so a beat matches what the same words
    typed into a search would find. A word without a field matches title or body
    (``MultifieldParser``); ``+word`` and ``-word`` work besides ``AND``/``OR``/``NOT``. The
    minus only counts at the start of a word, so ``war-torn`` stays a word.
    """
    analyzer = NewsAnalyzer()
    schema = Schema(title=TEXT(analyzer=analyzer), body=TEXT(analyzer=analyzer))
    parser = MultifieldParser(list(BEAT_FIELDS), schema)
    parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    return parser


_QUOTED = re.compile(r'"[^"]*"')
_FIELD_PREFIX = re.compile(r"(?:^|(?<=[\s(+\-]))([^\W\d]\w*):")


def compile_beat(text: str, where: str) -> BeatMatcher:
    """A beat's query as a matcher; ``BadTopicsFile`` (prefixed with ``where``) if it is bad."""
    check_beat_syntax(text, where)
    try:
        tree = beat_parser().parse(text)
    except Exception as err:  # Whoosh's parser raises assorted errors on odd input
        raise BadTopicsFile(f"{where}: the query {text!r} does not parse: {err}") from None
    if tree is wq.NullQuery:
        raise BadTopicsFile(
            f"{where}: the query {text!r} has no searchable words "
            "(only stop words, operators or one-letter words)"
        )
    matcher = to_matcher(tree, text, where)
    if not requires_something(matcher):
        raise BadTopicsFile(
            f"{where}: the query {text!r} only excludes words; "
            "it would put the topic on almost every story"
        )
    return matcher


def check_beat_syntax(text: str, where: str) -> None:
    """Catch what Whoosh's lenient parser would silently guess around."""
    if not text.strip():
        raise BadTopicsFile(f"{where}: the query is empty")
    if text.count('"') % 2:
        raise BadTopicsFile(f"{where}: the query {text!r} has an unclosed quote")
    depth = 0
    for char in _QUOTED.sub("", text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth:
        raise BadTopicsFile(f"{where}: the query {text!r} has unbalanced parentheses")
    for name in _FIELD_PREFIX.findall(_QUOTED.sub("", text)):
        if name.lower() not in BEAT_FIELDS:
            raise BadTopicsFile(
                f"{where}: the query {text!r} names the field {name!r}; "
                f"a beat can only use {' or '.join(f'{f}:' for f in BEAT_FIELDS)}"
            )


def to_matcher(node: wq.Query, text: str, where: str) -> BeatMatcher:
    """Translate a parsed Whoosh query tree into matchers over a story's terms."""
    if isinstance(node, wq.Term):
        return _Term(node.fieldname, node.text)
    if isinstance(node, wq.Phrase):
        return _Phrase(node.fieldname, tuple(node.words), node.slop)
    if isinstance(node, wq.Prefix):
        return _Pattern(node.fieldname, re.compile(re.escape(node.text)))
    if isinstance(node, wq.Wildcard):
        return _Pattern(node.fieldname, wildcard_pattern(node.text))
    if isinstance(node, wq.Not):
        return _Not(to_matcher(node.query, text, where))
    if isinstance(node, wq.AndNot):
        return _All((to_matcher(node.a, text, where), _Not(to_matcher(node.b, text, where))))
    if isinstance(node, wq.AndMaybe):
        return to_matcher(node.a, text, where)  # the optional part only changes ranking
    if isinstance(node, wq.Require):
        return _All((to_matcher(node.a, text, where), to_matcher(node.b, text, where)))
    if isinstance(node, wq.And):
        return _All(tuple(to_matcher(part, text, where) for part in node.subqueries))
    if isinstance(node, wq.Or | wq.DisjunctionMax):
        return _Any(tuple(to_matcher(part, text, where) for part in node.subqueries))
    if isinstance(node, wq.Every):
        problem = "'*' alone would match every story"
    elif isinstance(node, wq.TermRange | wq.NumericRange):
        problem = "ranges ([a TO b]) are not supported in a beat"
    else:
        problem = f"{type(node).__name__} queries are not supported in a beat"
    raise BadTopicsFile(f"{where}: the query {text!r}: {problem}")


def wildcard_pattern(text: str) -> re.Pattern[str]:
    """Whoosh's wildcards: ``*`` any run of characters, ``?`` exactly one."""
    escaped = re.escape(text).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(escaped + r"\Z")


def requires_something(matcher: BeatMatcher) -> bool:
    """False when a query could match a story by the absence of words alone."""
    if isinstance(matcher, _Not):
        return False
    if isinstance(matcher, _All):
        return any(requires_something(part) for part in matcher.parts)
    if isinstance(matcher, _Any):
        return all(requires_something(part) for part in matcher.parts)
    return True
