"""The Whoosh schema, and ``story_to_document()``: a ``Story`` as the fields the writer takes.

Text fields are analysed once, in the process that writes the segment, by ``analysis.terms``;
``NewsText.index`` turns those terms straight into postings, skipping Whoosh's per-token
``Token`` objects. The facet fields (source, kind, published, topics) also get columns, so a
search can count facets from per-document arrays instead of walking posting lists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from whoosh.analysis import RegexTokenizer
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, STORED, TEXT, SchemaClass

from search.indexing.analysis import NewsAnalyzer, terms
from search.indexing.whoosh_private import column_arrays as columns
from search.models import Story

INDEX_NAME = "MAIN"
"""The Whoosh index name inside each generation folder."""

TOPIC_SEPARATOR = "\x1f"
"""Joins a story's topics in the ``topic_list`` column (a character no topic id holds)."""
ID_SEPARATOR = "\x1f"
"""Joins the ids in ``version_ids`` (an id may hold commas and spaces, not this)."""


class NewsText(TEXT):
    """A TEXT field that also accepts a list of already analysed terms.

    Given a list, a term's position is its index in it, exactly as ``NewsAnalyzer`` numbers
    positions after dropping stop words, so phrase queries match what was indexed.
    """

    __module__ = "search.persisted"  # the name it is pickled under: see that module

    def index(self, value: Any, **kwargs: Any) -> Iterable[tuple[bytes, int, float, bytes]]:
        if not isinstance(value, list):
            return super().index(value, **kwargs)
        positions: dict[str, list[int]] = defaultdict(list)
        for pos, term in enumerate(value):
            positions[term].append(pos)
        encode = self.format.encode
        boost = self.format.field_boost
        return [
            (term.encode("utf-8"), len(poslist), len(poslist) * boost, encode(poslist))
            for term, poslist in positions.items()
        ]


def _text(boost: float = 1.0) -> NewsText:
    return NewsText(analyzer=NewsAnalyzer(), stored=True, phrase=True, field_boost=boost)


def _date() -> DATETIME:
    field = DATETIME(stored=True, sortable=True)
    # Trie steps of 8 bits index 8 terms a date instead of 16 (range queries stay exact);
    # DATETIME does not pass NUMERIC's shift_step argument through.
    field.shift_step = 8
    return field


class StorySchema(SchemaClass):
    """One document per story. Each text field is scored on its own and the scores add up, so
    a headline word already counts twice (in the short title and again in the body); boosting
    the title on top of that double-counts it (measured on CRAN, docs/benchmarks.md). Captions
    say less about the story than its text, hence their lower boost."""

    id = ID(stored=True, unique=True)
    kind = ID(stored=True, sortable=columns.RefBytesColumn())
    title = _text(1.0)
    teaser = _text(1.0)
    body = _text(1.0)
    captions = _text(0.5)
    # Few distinct values: a reference column is one byte or two a story, read by numpy in
    # one call (search/indexing/whoosh_private/column_arrays.py).
    source = ID(stored=True, sortable=columns.RefBytesColumn())
    published = _date()
    precision = STORED()
    topics = KEYWORD(stored=True, commas=True, scorable=False)
    topic_list = COLUMN(columns.VarBytesColumn())
    topic_reasons = STORED()
    """``[topic, confidence, [term, ...], origin]`` for each found topic (``TopicReason``)."""
    pages = STORED()
    related = STORED()
    url = STORED()
    """The story's canonical URL as found (``Story.url``); absent when it has none."""
    versions = STORED()
    """``[id, published]`` of each version (``Story.versions``); absent for a story sent once."""
    version_ids = TEXT(analyzer=RegexTokenizer(f"[^{ID_SEPARATOR}]+"), phrase=False)
    """The ids of the versions folded into the story, each one term: a link to a version
    finds the story it is part of."""
    cluster = ID(stored=True)
    """``Story.cluster``, the event's id: its stories are found by it. Absent without one."""
    cluster_key = COLUMN(columns.NumericColumn("Q", default=0))
    """The same id as a number (its 16 hex digits), 0 without one: results are grouped by
    cluster from this column, read as one array (``searching.grouping``)."""
    wire = STORED()
    """``Story.wire``; absent for a story in its source's own words."""


def cluster_key(cluster: str) -> int:
    """The number the ``cluster_key`` column holds for a cluster id (16 hex digits)."""
    return int(cluster, 16)


def caption_text(story: Story) -> str:
    """Captions and their credits as one searchable text, one caption a line."""
    return "\n".join(f"{c.text} | {c.credit}" if c.credit else c.text for c in story.captions)


def story_to_document(story: Story, analysed: dict[str, list[str]]) -> dict[str, Any]:
    """The writer's keyword arguments for one story.

    ``analysed`` maps each text field to its terms (``analysis.terms`` of the same text);
    the original text is stored beside them for display and highlighting.
    """
    doc: dict[str, Any] = {
        "id": story.id,
        "kind": story.kind,
        "source": story.source,
        "precision": story.precision,
        "topics": ",".join(story.topics),
        "topic_list": TOPIC_SEPARATOR.join(story.topics).encode("utf-8"),
        "topic_reasons": [
            [r.topic, r.confidence, list(r.words), r.origin] for r in story.topic_reasons
        ],
        "pages": list(story.pages),
        "related": list(story.related),
    }
    if story.published is not None:
        doc["published"] = story.published
    if story.url:
        doc["url"] = story.url
    if story.cluster:
        doc["cluster"] = story.cluster
        doc["cluster_key"] = cluster_key(story.cluster)
        if story.wire:
            doc["wire"] = story.wire
    if story.versions:
        doc["versions"] = [list(v) for v in story.versions]
        others = [vid for vid, _ in story.versions if vid != story.id]
        doc["version_ids"] = ID_SEPARATOR.join(others)
    texts = {
        "title": story.title,
        "teaser": story.teaser,
        "body": story.body,
        "captions": caption_text(story),
    }
    for name, text in texts.items():
        doc[name] = analysed[name]
        doc["_stored_" + name] = text
    return doc


def analyse(story: Story) -> dict[str, list[str]]:
    """The terms of each text field of ``story``."""
    return {
        "title": terms(story.title),
        "teaser": terms(story.teaser),
        "body": terms(story.body),
        "captions": terms(caption_text(story)),
    }
