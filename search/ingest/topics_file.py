"""Topics files: the TOML a user writes to extend or replace the taxonomy (docs/topics.md).

``read_topics_file`` parses one into its mode and ``Topic`` definitions, checking every field
and compiling every beat, so each problem is a ``BadTopicsFile`` naming the file and topic;
``default_topics`` reads the IPTC topics shipped in ``search/data``.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from search.errors import BadTopicsFile
from search.indexing.analysis import terms
from search.ingest.beats import compile_beat

DEFAULT_FILE = "iptc_topics.toml"
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
