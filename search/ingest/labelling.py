"""Label a whole corpus: every story's topics, each with its confidence and deciding words.

Pipeline place: called by the indexer once stories are folded, on all of them at once (the
classifier learns from the corpus it labels, ``topic_model``). A story's topics are the ones
its input carried, then the learned topics, then the beats whose query it matches. When the
corpus is too small or too uniform to learn from (fewer than two topics seeded by the word
lists), the word lists decide alone, as ``Taxonomy.assign`` does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import fields
from operator import attrgetter

import numpy as np

from search.indexing.analysis import terms
from search.ingest import topic_model
from search.ingest.topic_features import Corpus, Runner
from search.ingest.topic_model import Features, TopicModel
from search.ingest.topics import Taxonomy, choose_topics, merge_ids
from search.models import Story, TopicReason


def label(taxonomy: Taxonomy, stories: Sequence[Story], run: Runner | None = None) -> list[Story]:
    """``stories`` with their ``topics`` and ``topic_reasons`` set; ``run`` lets a large
    corpus's words be found on several cores (``topic_features.Corpus``).

    The stories are labelled in the order of their ids, whatever order they come in, so a
    build and an update (which reads files in another order) train the same model."""
    order = sorted(range(len(stories)), key=lambda n: stories[n].id)
    texts = [(s.title, f"{s.teaser}\n{s.body}") for s in (stories[n] for n in order)]
    corpus = Corpus(texts, run)
    model = None
    if len(corpus) >= topic_model.MIN_STORIES:
        indicators = {term: list(hits) for term, hits in taxonomy.indicators().items()}
        ids = [stories[n].id for n in order]
        model = TopicModel.train(
            Features(corpus), taxonomy.ids, corpus.list_scores(taxonomy), indicators, sample(ids)
        )
    learned = model.reasons() if model is not None else None
    out = list(stories)
    for rank, n in enumerate(order):
        story = stories[n]
        if learned is not None and not taxonomy.has_beats:
            reasons = learned[rank]
        else:
            title, body = terms(story.title), terms(story.teaser) + terms(story.body)
            reasons = learned[rank] if learned is not None else list_reasons(taxonomy, title, body)
            beats = [
                b
                for b in taxonomy.matching_beats(title, body)
                if b not in {r.topic for r in reasons}
            ]
            reasons += tuple(TopicReason(b, 1.0, (), "beat") for b in beats)
        values = _fields(story)
        found = tuple(r.topic for r in reasons)
        values[_TOPICS] = merge_ids(story.given_topics, found) if story.given_topics else found
        values[_REASONS] = reasons
        out[n] = Story(*values)
    return out


_NAMES = [f.name for f in fields(Story)]
_TOPICS, _REASONS = _NAMES.index("topics"), _NAMES.index("topic_reasons")
_getter = attrgetter(*_NAMES)


def _fields(story: Story) -> list:
    """The story's field values in order: ``Story(*values)`` is much faster than
    ``dataclasses.replace`` for a record of this many fields."""
    return list(_getter(story))


def sample(ids: list[str]) -> np.ndarray | None:
    """The rows of the stories the model learns from when there are more than
    ``MAX_LEARN``: each story is in or out by a hash of its id, so adding stories to the
    corpus leaves the others where they were."""
    if len(ids) <= topic_model.MAX_LEARN:
        return None
    limit = topic_model.MAX_LEARN / len(ids) * 2**64
    chosen = [
        n
        for n, story_id in enumerate(ids)
        if int.from_bytes(hashlib.blake2b(story_id.encode(), digest_size=8).digest()) < limit
    ]
    return np.asarray(chosen, dtype=np.int64)


def list_reasons(taxonomy: Taxonomy, title: list[str], body: list[str]) -> tuple[TopicReason, ...]:
    """The word lists' choice for one story (a corpus too small to learn from), explained by
    the indicators it contains; the confidence is the topic's share of the scores."""
    row = taxonomy.scores(title, body)
    words = title + body
    chosen = choose_topics(row)
    total = sum(row) or 1.0
    indicators = taxonomy.indicators()
    out = []
    for index in chosen:
        found = dict.fromkeys(w for w in words if any(t == index for t, _ in indicators.get(w, ())))
        top = tuple(list(found)[: topic_model.WHY_WORDS])
        confidence = round(row[index] / total, 3)
        out.append(TopicReason(taxonomy.ids[index], confidence, top, "words"))
    return tuple(out)
