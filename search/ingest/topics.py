"""Topic assignment: which topics of the taxonomy a story is about.

Pipeline place: after stories are folded together and before they are analysed into the
index, every ``Story`` gets its ``topics``: the topics its input already carried
(``given_topics``, first and unchanged) followed by what ``Taxonomy.assign`` finds in its
analysed title and body terms. The topic facet and ``topic:`` queries read that field.

A taxonomy is a list of topics, each either

- a **word-list topic**: weighted indicator words and phrases, analysed with
  ``analysis.terms`` so they are stemmed exactly like the index. A story's score for the topic
  adds up ``weight * (1 + ln(count))`` over the indicators it contains, a title occurrence
  counting as ``TITLE_WEIGHT`` body occurrences. The best topic is kept whenever any indicator
  appears; up to ``MAX_SCORED`` - 1 more are kept when they score at least
  ``RELATIVE_CUTOFF`` of the best and at least ``MIN_EXTRA_SCORE`` (see docs/topics.md and
  ``bench/topics_eval.py`` for why these numbers);
- or a **beat**: a query in the search box's language (``taiwan OR taipei``), parsed once by
  Whoosh's parser and then evaluated here against the story's term lists, without an index.
  A beat is assigned whenever its query matches, on top of the scored topics.

The default taxonomy is the 17 top-level IPTC Media Topics in ``data/iptc_topics.toml``; a
user's topics file extends or replaces it (``Taxonomy.load``).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

from whoosh import query as wq
from whoosh.fields import TEXT, Schema
from whoosh.qparser import MultifieldParser, PlusMinusPlugin

from search.errors import BadTopicsFile
from search.indexing.analysis import NewsAnalyzer, terms

TITLE_WEIGHT = 3
"""A title occurrence of an indicator counts as this many body occurrences."""
MAX_SCORED = 3
"""At most this many word-list topics per story (beats and given topics come on top)."""
RELATIVE_CUTOFF = 0.5
"""A second or third topic needs at least this share of the best topic's score."""
MIN_EXTRA_SCORE = 9.0
"""... and at least this score: about three strong indicators (weight 3), once each."""
SCORING_VERSION = 1
"""Bump when the scoring rule changes, so ``fingerprint()`` changes with it."""

DEFAULT_FILE = "iptc_topics.toml"
BEAT_FIELDS = ("title", "body")
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
Mode = Literal["extend", "replace"]


@dataclass(frozen=True)
class Topic:
    """One topic as a topics file defines it: indicator words, or a beat query."""

    id: str
    label: str
    iptc: str = ""
    words: tuple[tuple[str, float], ...] = ()
    """Indicator words and phrases as written, each with its weight."""
    query: str = ""
    """The beat's query; empty for a word-list topic."""

    @property
    def is_beat(self) -> bool:
        return bool(self.query)


class Taxonomy:
    """A compiled set of topics: build once, pickle to workers, call ``assign`` per story."""

    def __init__(self, topics: Iterable[Topic], source: str = "<topics>") -> None:
        self.topics: tuple[Topic, ...] = tuple(topics)
        self.source = source
        """The file the topics came from, for error messages and display."""
        self._ids = tuple(topic.id for topic in self.topics)
        self._single: dict[str, tuple[tuple[int, float], ...]] = {}
        self._phrases: dict[str, tuple[_PhraseIndicator, ...]] = {}
        self._beats: tuple[tuple[int, _Matcher], ...] = ()
        self._compile(source)
        self._single_terms = frozenset(self._single)
        self._phrase_heads = frozenset(self._phrases)

    # -- construction -------------------------------------------------------------------

    @classmethod
    def default(cls) -> Taxonomy:
        """The 17 top-level IPTC Media Topics shipped with newsdex (loaded once, shared)."""
        return _default_taxonomy()

    @classmethod
    def load(cls, path: str | Path) -> Taxonomy:
        """A user's topics file: ``mode = "extend"`` (the default) or ``"replace"``.

        In extend mode a topic with the id of a default topic takes its place; other topics
        are added after the defaults. Raises ``BadTopicsFile`` naming the file and the problem.
        """
        source = str(path)
        mode, topics = read_topics_file(source)
        if mode == "replace":
            return cls(topics, source)
        return cls(merge_topics(default_topics(), topics), source)

    def _compile(self, source: str) -> None:
        single: dict[str, list[tuple[int, float]]] = {}
        phrases: dict[str, list[_PhraseIndicator]] = {}
        beats: list[tuple[int, _Matcher]] = []
        for index, topic in enumerate(self.topics):
            where = f"{source}: topic {topic.id!r}"
            if topic.is_beat:
                beats.append((index, compile_beat(topic.query, where)))
                continue
            for analysed, weight in analyse_words(topic, where).items():
                if len(analysed) == 1:
                    single.setdefault(analysed[0], []).append((index, weight))
                else:
                    needle = " " + " ".join(analysed) + " "
                    indicator = _PhraseIndicator(needle, analysed[1], index, weight)
                    phrases.setdefault(analysed[0], []).append(indicator)
        self._single = {term: tuple(hits) for term, hits in single.items()}
        self._phrases = {head: tuple(found) for head, found in phrases.items()}
        self._beats = tuple(beats)

    # -- what callers read ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.topics)

    def __repr__(self) -> str:
        return f"Taxonomy({len(self)} topics from {self.source})"

    @property
    def ids(self) -> tuple[str, ...]:
        return self._ids

    def labels(self) -> dict[str, str]:
        """Topic id -> label, in the taxonomy's order, for display."""
        return {topic.id: topic.label for topic in self.topics}

    @cached_property
    def _fingerprint(self) -> str:
        definitions = [
            [topic.id, topic.label, topic.iptc, sorted(topic.words), topic.query]
            for topic in self.topics
        ]
        scoring = [SCORING_VERSION, TITLE_WEIGHT, MAX_SCORED, RELATIVE_CUTOFF, MIN_EXTRA_SCORE]
        blob = json.dumps([scoring, definitions], ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    def fingerprint(self) -> str:
        """A hash of the definitions and the scoring rule: changes when assignments may."""
        return self._fingerprint

    # -- assignment ----------------------------------------------------------------------

    def assign(
        self,
        title_terms: Sequence[str],
        body_terms: Sequence[str],
        given: Sequence[str] = (),
    ) -> tuple[str, ...]:
        """The topic ids of one story: ``given`` first, then scored topics, then beats."""
        scores = self.scores(title_terms, body_terms)
        chosen = [self._ids[index] for index in choose_topics(scores)]
        if self._beats:
            chosen += self._matching_beats(title_terms, body_terms)
        return merge_ids(given, chosen)

    def scores(self, title_terms: Sequence[str], body_terms: Sequence[str]) -> list[float]:
        """Each topic's indicator score for one story (0 for beats), in taxonomy order."""
        counts = Counter(body_terms)
        for term in title_terms:
            counts[term] += TITLE_WEIGHT
        scores = [0.0] * len(self._ids)
        log = math.log
        single = self._single
        # Sorted: floats added in a set's order (which follows PYTHONHASHSEED) could swap two
        # near-equal topics between runs, and an update must equal a rebuild.
        for term in sorted(self._single_terms.intersection(counts)):
            strength = 1.0 + log(counts[term])
            for index, weight in single[term]:
                scores[index] += weight * strength
        heads = sorted(self._phrase_heads.intersection(counts))
        if heads:
            self._add_phrase_scores(heads, counts, title_terms, body_terms, scores)
        return scores

    def _add_phrase_scores(
        self,
        heads: Iterable[str],
        counts: Counter[str],
        title_terms: Sequence[str],
        body_terms: Sequence[str],
        scores: list[float],
    ) -> None:
        title_text = body_text = None
        for head in heads:
            for phrase in self._phrases[head]:
                if phrase.second not in counts:
                    continue
                if title_text is None:
                    title_text = " " + " ".join(title_terms) + " "
                    body_text = " " + " ".join(body_terms) + " "
                found = body_text.count(phrase.needle)
                found += TITLE_WEIGHT * title_text.count(phrase.needle)
                if found:
                    scores[phrase.topic] += phrase.weight * (1.0 + math.log(found))

    def _matching_beats(self, title_terms: Sequence[str], body_terms: Sequence[str]) -> list[str]:
        story = StoryTerms(title_terms, body_terms)
        return [self._ids[index] for index, beat in self._beats if beat.matches(story)]


def choose_topics(scores: Sequence[float]) -> list[int]:
    """Indexes of the topics to keep, best first.

    The best topic is kept whenever anything scored: a story that mentions any indicator gets
    a topic (the facet is useless for stories with none). A runner-up must be a real second
    subject, not a stray word of a long text: a share of the best and an absolute floor.
    """
    ranked = sorted(
        ((score, index) for index, score in enumerate(scores) if score > 0),
        key=lambda pair: (-pair[0], pair[1]),
    )
    if not ranked:
        return []
    best = ranked[0][0]
    floor = max(MIN_EXTRA_SCORE, RELATIVE_CUTOFF * best)
    kept = [ranked[0][1]]
    kept += [index for score, index in ranked[1:MAX_SCORED] if score >= floor]
    return kept


def merge_ids(given: Sequence[str], found: Iterable[str]) -> tuple[str, ...]:
    """``given`` as given (duplicates dropped), then the found ids not already in it."""
    merged = dict.fromkeys(given)
    merged.update(dict.fromkeys(found))
    return tuple(merged)


# -- indicator words ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PhraseIndicator:
    needle: str
    """The phrase's terms joined and padded with spaces, to count in a joined term list."""
    second: str
    """Its second term: when the story lacks it, the phrase cannot be there (a cheap test)."""
    topic: int
    weight: float


def analyse_words(topic: Topic, where: str) -> dict[tuple[str, ...], float]:
    """Indicator words as analysed terms -> weight; words stemming alike keep the highest.

    ``where`` (``file: topic 'id'``) starts the message of a ``BadTopicsFile``.
    """
    analysed: dict[tuple[str, ...], float] = {}
    for word, weight in topic.words:
        found = tuple(terms(word))
        if not found:
            raise BadTopicsFile(
                f"{where}: the word {word!r} has no searchable terms "
                "(a stop word, or shorter than two letters)"
            )
        analysed[found] = max(weight, analysed.get(found, 0.0))
    return analysed


# -- beats: Whoosh's parser, our own evaluation --------------------------------------------


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


class _Matcher:
    def matches(self, story: StoryTerms) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class _Term(_Matcher):
    field: str
    text: str

    def matches(self, story: StoryTerms) -> bool:
        return self.text in story.sets[self.field]


@dataclass(frozen=True)
class _Phrase(_Matcher):
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
class _Pattern(_Matcher):
    """A prefix (``elect*``) or wildcard (``e?ect*``), matched against the indexed terms."""

    field: str
    pattern: re.Pattern[str]

    def matches(self, story: StoryTerms) -> bool:
        match = self.pattern.match
        return any(match(term) for term in story.sets[self.field])


@dataclass(frozen=True)
class _All(_Matcher):
    parts: tuple[_Matcher, ...]

    def matches(self, story: StoryTerms) -> bool:
        return all(part.matches(story) for part in self.parts)


@dataclass(frozen=True)
class _Any(_Matcher):
    parts: tuple[_Matcher, ...]

    def matches(self, story: StoryTerms) -> bool:
        return any(part.matches(story) for part in self.parts)


@dataclass(frozen=True)
class _Not(_Matcher):
    part: _Matcher

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


def compile_beat(text: str, where: str) -> _Matcher:
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


def to_matcher(node: wq.Query, text: str, where: str) -> _Matcher:
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


def requires_something(matcher: _Matcher) -> bool:
    """False when a query could match a story by the absence of words alone."""
    if isinstance(matcher, _Not):
        return False
    if isinstance(matcher, _All):
        return any(requires_something(part) for part in matcher.parts)
    if isinstance(matcher, _Any):
        return all(requires_something(part) for part in matcher.parts)
    return True


# -- topics files ----------------------------------------------------------------------------

_FILE_KEYS = {"mode", "topic"}
_TOPIC_KEYS = {"id", "label", "iptc", "words", "query"}


def read_topics_file(path: str) -> tuple[Mode, list[Topic]]:
    """Parse a topics file into its mode and topics; every problem is a ``BadTopicsFile``."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as err:
        raise BadTopicsFile(f"{path}: cannot be read: {err.strerror or err}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise BadTopicsFile(f"{path}: not valid TOML: {err}") from None
    unknown = sorted(set(data) - _FILE_KEYS)
    if unknown:
        raise BadTopicsFile(
            f"{path}: unknown setting {unknown[0]!r}; a topics file has 'mode' and [[topic]] tables"
        )
    mode = data.get("mode", "extend")
    if mode not in ("extend", "replace"):
        raise BadTopicsFile(f'{path}: mode must be "extend" or "replace", not {mode!r}')
    entries = data.get("topic", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise BadTopicsFile(f"{path}: topics must be [[topic]] tables")
    topics = [
        parse_topic(entry, f"{path}: topic #{number}") for number, entry in enumerate(entries, 1)
    ]
    check_unique_ids(topics, path)
    return mode, topics


def parse_topic(entry: dict[str, object], where: str) -> Topic:
    """One ``[[topic]]`` table as a ``Topic``, checked field by field."""
    topic_id = entry.get("id")
    if not isinstance(topic_id, str) or not topic_id:
        raise BadTopicsFile(f"{where}: missing id")
    where = f"{where} ({topic_id!r})"
    if not ID_PATTERN.fullmatch(topic_id):
        raise BadTopicsFile(
            f"{where}: the id must be lower-case letters, digits and hyphens "
            "(it is typed in queries as topic:<id>)"
        )
    unknown = sorted(set(entry) - _TOPIC_KEYS)
    if unknown:
        raise BadTopicsFile(
            f"{where}: unknown key {unknown[0]!r}; a topic has {', '.join(sorted(_TOPIC_KEYS))}"
        )
    label = string_field(entry, "label", where) or topic_id
    iptc = string_field(entry, "iptc", where)
    query = string_field(entry, "query", where)
    words = parse_words(entry.get("words"), where)
    if not words and not query:
        raise BadTopicsFile(f"{where}: has neither words nor a query")
    if words and query:
        raise BadTopicsFile(f"{where}: has both words and a query; a topic has one or the other")
    topic = Topic(topic_id, label, iptc, words, query)
    if query:
        compile_beat(query, where)  # reported against this file, before any merging
    else:
        analyse_words(topic, where)
    return topic


def string_field(entry: dict[str, object], key: str, where: str) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise BadTopicsFile(f"{where}: {key} must be a string")
    return value.strip()


def parse_words(value: object, where: str) -> tuple[tuple[str, float], ...]:
    """Indicator words in any of the three spellings docs/topics.md describes.

    ``["a", "b"]`` (weight 1 each); ``{"central bank" = 3}`` (word = weight); or
    ``{3 = ["a", "b"]}`` (weight = words), which keeps a long list compact.
    """
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple((word_text(word, where), 1.0) for word in value)
    if not isinstance(value, dict):
        raise BadTopicsFile(f"{where}: words must be a list or a table")
    words: list[tuple[str, float]] = []
    for key, item in value.items():
        if isinstance(item, list):
            weight = parse_weight(key, where)
            words += [(word_text(word, where), weight) for word in item]
        else:
            words.append((word_text(key, where), parse_weight(item, where)))
    return tuple(words)


def word_text(word: object, where: str) -> str:
    if not isinstance(word, str) or not word.strip():
        raise BadTopicsFile(f"{where}: indicator words must be non-empty strings, not {word!r}")
    return word.strip()


def parse_weight(value: object, where: str) -> float:
    try:
        weight = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        weight = math.nan
    if isinstance(value, bool) or not weight > 0 or math.isinf(weight):
        raise BadTopicsFile(f"{where}: a weight must be a positive number, not {value!r}")
    return weight


def check_unique_ids(topics: Sequence[Topic], path: str) -> None:
    seen: set[str] = set()
    for topic in topics:
        if topic.id in seen:
            raise BadTopicsFile(f"{path}: topic id {topic.id!r} is defined twice")
        seen.add(topic.id)


def merge_topics(defaults: Sequence[Topic], user: Sequence[Topic]) -> list[Topic]:
    """Extend mode: a user topic replaces the default with its id, in place; others follow."""
    by_id = {topic.id: topic for topic in user}
    merged = [by_id.pop(topic.id, topic) for topic in defaults]
    return merged + [topic for topic in user if topic.id in by_id]


@cache
def default_topics() -> tuple[Topic, ...]:
    """The shipped IPTC topics as ``Topic`` definitions."""
    resource = resources.files("search") / "data" / DEFAULT_FILE
    with resources.as_file(resource) as path:
        _mode, topics = read_topics_file(str(path))
    return tuple(topics)


@cache
def _default_taxonomy() -> Taxonomy:
    resource = resources.files("search") / "data" / DEFAULT_FILE
    return Taxonomy(default_topics(), str(resource))
