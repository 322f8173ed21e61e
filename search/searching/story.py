"""One story in full, for its own page: its text marked, its related and similar stories."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
from whoosh import query as wq

from search.errors import StoryNotFound
from search.indexing.analysis import TOKEN, as_terms, terms, token_terms
from search.models import Caption, StoryCard, StoryDetail, TopicReason
from search.searching import grouping, highlight
from search.searching.budget import Budget
from search.searching.generation import Generation
from search.searching.query import compile_query, positive_terms

SIMILAR = 5
"""How many stories "more like this" lists."""
KEY_TERMS = 12
"""How many of a story's most distinctive words "more like this" searches for."""


def story(gen: Generation, story_id: str, q: str = "") -> StoryDetail:
    """A story in full with the terms of ``q`` marked; ``StoryNotFound`` if none has the id."""
    now = datetime.now(UTC).replace(tzinfo=None)
    docnum = _docnum(gen, story_id)
    doc = gen.stored(docnum)
    topics, labels = gen.topics_of(doc)
    query_terms = positive_terms(compile_query(q, "all", gen.vocab, now).query)
    body = doc.get("body") or ""
    text = body or doc.get("teaser") or ""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    captions = _captions(doc.get("captions") or "")
    related_docs = []
    for other_id in doc.get("related") or ():
        other = gen.searcher.document_number(id=other_id)
        if other is not None and gen.matcher.live[other]:
            related_docs.append(other)
    related = [_card(gen.stored(d)) for d in related_docs]
    shown = {docnum, *related_docs}
    similar = [_card(gen.stored(d)) for d in _similar(gen, doc, shown)]
    return StoryDetail(
        id=doc["id"],
        kind=doc.get("kind", "article"),
        title=doc.get("title") or "",
        marked_title=highlight.mark(doc.get("title") or "", query_terms),
        source=doc.get("source", ""),
        published=doc.get("published"),
        precision=doc.get("precision"),
        body=body,
        marked_body=tuple(highlight.mark(p, query_terms) for p in paragraphs),
        teaser=doc.get("teaser") or "",
        captions=captions,
        marked_captions=tuple(highlight.mark(c.text, query_terms) for c in captions),
        topics=topics,
        topic_labels=labels,
        pages=gen.pages_of(doc),
        related=tuple(related),
        similar=tuple(similar),
        link=doc.get("url"),
        versions=tuple((vid, published) for vid, published in doc.get("versions") or ()),
        topic_reasons=topic_reasons(doc, topics, labels),
        cluster=doc.get("cluster"),
        cluster_size=gen.clusters.size(doc.get("cluster")),
    )


def topic_reasons(
    doc: dict[str, Any], topics: tuple[str, ...], labels: tuple[str, ...]
) -> tuple[TopicReason, ...]:
    """Why the story has each of its topics, in the order of ``topics``, with its deciding
    terms spelled as the story spells them. A topic without a stored reason came with the
    input."""
    stored = {row[0]: row for row in doc.get("topic_reasons") or ()}
    words = surface_words(" ".join(doc.get(name) or "" for name in ("title", "teaser", "body")))
    out = []
    for topic, label in zip(topics, labels, strict=True):
        row = stored.get(topic)
        if row is None:
            out.append(TopicReason(topic, 1.0, (), "input", label))
            continue
        _, confidence, found, origin = row
        spelled = tuple(dict.fromkeys(words.get(term, term) for term in found))
        out.append(TopicReason(topic, float(confidence), spelled, origin, label))
    return tuple(out)


def surface_words(text: str) -> dict[str, str]:
    """Each analysed term of ``text`` -> the word that first gave it, in lower case."""
    words: dict[str, str] = {}
    for token in TOKEN.findall(text):
        for term in as_terms(token_terms(token)):
            words.setdefault(term, token.lower())
    return words


def _docnum(gen: Generation, story_id: str) -> int:
    """The story with the id, else the story that one of its versions was folded into."""
    live = gen.matcher.live
    for field in ("id", "version_ids"):
        for docnum in gen.searcher.document_numbers(**{field: story_id}):
            if live[docnum]:
                return docnum
    raise StoryNotFound(story_id)


def _similar(gen: Generation, doc: dict[str, Any], shown: set[int]) -> list[int]:
    """More like this: the story's most distinctive words, searched as any-word; stories
    in ``shown`` (the story itself, its related stories) are left out."""
    text = " ".join(doc.get(name) or "" for name in ("title", "teaser", "body"))
    counts: dict[str, int] = {}
    for term in terms(text):
        if term.isalpha():
            counts[term] = counts.get(term, 0) + 1
    matcher = gen.matcher
    weighted = []
    for term, tf in counts.items():
        df = matcher.doc_frequency("body", term) + matcher.doc_frequency("title", term)
        if df > 1:
            weighted.append((tf * np.log(matcher.doc_count / df), term))
    weighted.sort(reverse=True)
    picked = [term for _, term in weighted[:KEY_TERMS]]
    if not picked:
        return []
    q = wq.Or([wq.Or([wq.Term(f, t) for f in ("title", "body")]) for t in picked])
    ids, scores = matcher.run(q, Budget())
    order = np.argsort(-scores, kind="stable")
    live = gen.matcher.live
    found = [int(ids[i]) for i in order[: SIMILAR + len(shown)] if int(ids[i]) not in shown]
    return [d for d in found if live[d]][:SIMILAR]


def _captions(text: str) -> tuple[Caption, ...]:
    captions = []
    for line in text.splitlines():
        caption, _, credit = line.rpartition(" | ")
        captions.append(Caption(caption, credit) if caption else Caption(line))
    return tuple(captions)


def _card(doc: dict[str, Any]) -> StoryCard:
    return StoryCard(**grouping.card_fields(doc))
