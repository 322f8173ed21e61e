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
  Whoosh's parser and then evaluated against the story's term lists, without an index
  (``beats``).
  A beat is assigned whenever its query matches, on top of the scored topics.

The default taxonomy is the 17 top-level IPTC Media Topics in ``data/iptc_topics.toml``; a
user's topics file (``topics_file``) extends or replaces it (``Taxonomy.load``).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

from search.ingest.beats import BeatMatcher, StoryTerms, compile_beat
from search.ingest.topics_file import (
    DEFAULT_FILE,
    Topic,
    analyse_words,
    default_topics,
    merge_topics,
    read_topics_file,
)

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


class Taxonomy:
    """A compiled set of topics: build once, pickle to workers, call ``assign`` per story."""

    def __init__(self, topics: Iterable[Topic], source: str = "<topics>") -> None:
        self.topics: tuple[Topic, ...] = tuple(topics)
        self.source = source
        """The file the topics came from, for error messages and display."""
        self._ids = tuple(topic.id for topic in self.topics)
        self._single: dict[str, tuple[tuple[int, float], ...]] = {}
        self._phrases: dict[str, tuple[_PhraseIndicator, ...]] = {}
        self._beats: tuple[tuple[int, BeatMatcher], ...] = ()
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
        beats: list[tuple[int, BeatMatcher]] = []
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
            chosen += self.matching_beats(title_terms, body_terms)
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
            _add_phrase_scores(self._phrases, heads, counts, title_terms, body_terms, scores)
        return scores

    @property
    def has_beats(self) -> bool:
        return bool(self._beats)

    def indicators(self) -> dict[str, tuple[tuple[int, float], ...]]:
        """Single-term indicators: analysed term -> ``(topic index, weight)`` pairs."""
        return self._single

    def phrase_indicators(self) -> list[tuple[tuple[str, ...], int, float]]:
        """Phrase indicators: ``(analysed terms, topic index, weight)``, in a fixed order."""
        found = [
            (tuple(phrase.needle.split()), phrase.topic, phrase.weight)
            for head in sorted(self._phrases)
            for phrase in self._phrases[head]
        ]
        return found

    def matching_beats(self, title_terms: Sequence[str], body_terms: Sequence[str]) -> list[str]:
        """The ids of the beats whose query matches the story."""
        story = StoryTerms(title_terms, body_terms)
        return [self._ids[index] for index, beat in self._beats if beat.matches(story)]


def _add_phrase_scores(
    phrases: dict[str, tuple[_PhraseIndicator, ...]],
    heads: Iterable[str],
    counts: Counter[str],
    title_terms: Sequence[str],
    body_terms: Sequence[str],
    scores: list[float],
) -> None:
    title_text = body_text = None
    for head in heads:
        for phrase in phrases[head]:
            if phrase.second not in counts:
                continue
            if title_text is None:
                title_text = " " + " ".join(title_terms) + " "
                body_text = " " + " ".join(body_terms) + " "
            found = body_text.count(phrase.needle)
            found += TITLE_WEIGHT * title_text.count(phrase.needle)
            if found:
                scores[phrase.topic] += phrase.weight * (1.0 + math.log(found))


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


@cache
def _default_taxonomy() -> Taxonomy:
    resource = resources.files("search") / "data" / DEFAULT_FILE
    return Taxonomy(default_topics(), str(resource))
