"""Search records -> JSON-ready dicts: the shape of the JSON API, and of ``newsdex search --json``.

``SearchResults`` / ``StoryDetail`` --shape--> dict --json--> the API response or the CLI's output.
Plain functions over the records, with no Flask in them, so the CLI prints exactly what the API
serves. Every URL is relative (``/api/search?...``, ``/api/stories/<id>``) and built by
``params``, so a script can follow it against the host it asked. Marked text becomes escaped
HTML with ``<mark>`` (``marks.to_html``) in ``snippets`` and the ``*_html`` fields.

Dates are ISO 8601 in UTC without an offset, as ``newsdex stats --json`` writes them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from search.interface.marks import to_html
from search.interface.params import toggle_url, url_for_request
from search.models import (
    FACETS,
    ClusterDetail,
    Histogram,
    ParsedQuery,
    SearchRequest,
    SearchResults,
    StoryCard,
    StoryDetail,
    StoryHit,
    TopicReason,
)

SEARCH_PATH = "/api/search"
STORIES_PATH = "/api/stories"
CLUSTERS_PATH = "/api/clusters"


def search_json(results: SearchResults, path: str = SEARCH_PATH) -> dict[str, Any]:
    """One search as the API answers it; pager, toggle and suggestion URLs point at ``path``."""
    req = results.request
    suggestion = None
    if results.suggestion:
        suggestion = {
            "text": results.suggestion,
            "url": url_for_request(path, req, q=results.suggestion),
        }
    # A value ticked by the query text is unticked by the text without that clause.
    held = {
        (f.facet, value): url_for_request(path, req, q=f.without)
        for f in results.query.filters
        for value in f.values
    }
    return {
        "total": results.total,
        "groups": results.groups,
        "took_ms": round(results.took_ms, 3),
        "request": request_json(req),
        "query": query_json(results.query),
        "hits": [hit_json(hit, req.q) for hit in results.hits],
        "facets": {
            facet: [
                {
                    "value": f.value,
                    "label": f.label or f.value,
                    "count": f.count,
                    "selected": f.selected,
                    "toggle_url": held.get((facet, f.value))
                    or toggle_url(path, req, facet, f.value),
                }
                for f in results.facets.get(facet, ())
            ]
            for facet in FACETS
        },
        "histogram": histogram_json(results.histogram, req, path),
        "suggestion": suggestion,
        "any_total": results.any_total,
        "any_url": url_for_request(path, req, match="any")
        if results.any_total is not None
        else None,
        "page": req.page,
        "pages": results.pages,
        "per_page": req.per_page,
        "next": url_for_request(path, req, page=req.page + 1) if req.page < results.pages else None,
        "prev": url_for_request(path, req, page=min(req.page - 1, results.pages))
        if req.page > 1
        else None,
        "generation": results.generation,
    }


def request_json(req: SearchRequest) -> dict[str, Any]:
    """The request echoed under the names of its query-string parameters."""
    return {
        "q": req.q,
        "source": list(req.sources),
        "topic": list(req.topics),
        "kind": list(req.kinds),
        "from": _iso(req.date_from),
        "to": _iso(req.date_to),
        "sort": req.sort,
        "match": req.match,
        "group": req.group,
        "page": req.page,
        "per_page": req.per_page,
    }


def query_json(query: ParsedQuery) -> dict[str, Any]:
    return {
        "text": query.text,
        "interpreted": query.interpreted,
        "terms": list(query.terms),
        "notices": list(query.notices),
        "from": _iso(query.date_from),
        "to": _iso(query.date_to),
        "filters": [
            {"facet": f.facet, "values": list(f.values), "typed": f.typed, "without": f.without}
            for f in query.filters
        ],
    }


def card_json(card: StoryCard) -> dict[str, Any]:
    """The fields that name a story, in every shape that lists one."""
    return {
        "id": card.id,
        "title": card.title,
        "source": card.source,
        "published": _iso(card.published),
        "date_precision": card.precision,
        "kind": card.kind,
    }


def hit_json(hit: StoryHit, q: str = "") -> dict[str, Any]:
    return {
        **card_json(hit),
        "title_html": to_html(hit.marked_title),
        "topics": list(hit.topics),
        "pages": list(hit.pages),
        "snippets": [to_html(s) for s in hit.snippets],
        "matched_in": list(hit.matched_in),
        "score": hit.score,
        "link": hit.link,
        "versions": hit.versions,
        "cluster": cluster_ref(hit.cluster, hit.cluster_size),
        "more": [ref_json(card) for card in hit.more],
        "url": story_url(hit.id, q),
    }


def histogram_json(histogram: Histogram, req: SearchRequest, path: str) -> dict[str, Any]:
    """Buckets with ``end`` exclusive; each bucket's ``url`` narrows the search to its days."""
    buckets = []
    for b in histogram.buckets:
        first = max(b.start, req.date_from) if req.date_from else b.start
        last = b.end - timedelta(days=1)
        last = min(last, req.date_to) if req.date_to else last
        buckets.append(
            {
                "start": b.start.isoformat(),
                "end": b.end.isoformat(),
                "count": b.count,
                "url": url_for_request(path, req, date_from=first, date_to=last),
            }
        )
    return {"interval": histogram.interval, "buckets": buckets, "undated": histogram.undated}


def story_json(story: StoryDetail, q: str = "") -> dict[str, Any]:
    """One story in full; ``title_html`` and ``body_html`` mark the terms of ``q``."""
    return {
        **card_json(story),
        "title_html": to_html(story.marked_title),
        "topics": list(story.topics),
        "topic_reasons": [reason_json(r) for r in story.topic_reasons],
        "no_confident_topic": not story.confident_topic,
        "pages": list(story.pages),
        "body": story.body,
        "body_html": [to_html(p) for p in story.marked_body],
        "teaser": story.teaser,
        "captions": [{"text": c.text, "credit": c.credit} for c in story.captions],
        "captions_html": [to_html(c) for c in story.marked_captions],
        "related": [ref_json(r) for r in story.related],
        "similar": [ref_json(r) for r in story.similar],
        "link": story.link,
        "versions": [{"id": vid, "published": _iso(at)} for vid, at in story.versions],
        "cluster": cluster_ref(story.cluster, story.cluster_size),
        "url": story_url(story.id, q),
    }


def reason_json(reason: TopicReason) -> dict[str, Any]:
    """Why a story has one topic: confidence, deciding words, and what decided."""
    return {
        "topic": reason.topic,
        "label": reason.label or reason.topic,
        "confidence": reason.confidence,
        "words": list(reason.words),
        "origin": reason.origin,
    }


def cluster_ref(cluster_id: str | None, size: int) -> dict[str, Any] | None:
    """The cluster a story is part of: its id, how many stories it holds, its URL."""
    if not cluster_id:
        return None
    return {"id": cluster_id, "stories": size, "url": cluster_url(cluster_id)}


def cluster_json(cluster: ClusterDetail) -> dict[str, Any]:
    """One cluster: its stories by time, the first marked, and which carried one wire copy."""
    return {
        "id": cluster.id,
        "stories": len(cluster.members),
        "sources": list(cluster.sources),
        "members": [
            {**ref_json(m), "first": m.first, "wire": m.wire or None} for m in cluster.members
        ],
        "url": cluster_url(cluster.id),
    }


def cluster_url(cluster_id: str) -> str:
    return f"{CLUSTERS_PATH}/{quote(cluster_id, safe='')}"


def ref_json(ref: StoryCard) -> dict[str, Any]:
    """A related or similar story: its card and its URL."""
    return {**card_json(ref), "url": story_url(ref.id)}


def story_url(story_id: str, q: str = "") -> str:
    """``/api/stories/<id>``, with ``?q=`` when the story should show the query's terms."""
    url = f"{STORIES_PATH}/{quote(story_id, safe='')}"
    return f"{url}?{urlencode({'q': q})}" if q else url


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
