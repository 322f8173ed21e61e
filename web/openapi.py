"""The OpenAPI 3.1 document of the JSON API, served at ``/api/openapi.json``.

Data beside the code (exports and coverage: ``web.openapi_analysis``); enums and limits come
from the constants ``params`` checks, and ``tests/test_openapi.py`` holds responses to it."""

from __future__ import annotations

from typing import Any

from search.interface.params import MAX_PAGE, MAX_VALUES
from search.models import FACETS, KINDS, MATCHES, MAX_PER_PAGE, SORTS
from web import openapi_analysis as more
from web import openapi_clusters as clusters
from web.openapi_parts import DATE_PARAM, ISO_DATE, ISO_TIME
from web.openapi_parts import nullable as _nullable
from web.openapi_parts import obj as _object
from web.openapi_parts import ref as _ref
from web.openapi_parts import strings as _strings
from web.openapi_topics import STORY_TOPICS

PRECISION = {
    "enum": ["time", "day", "approximate", None],
    "description": "How much of `published` is known: `time`, the `day` only, or "
    "`approximate` (resolved from a relative age such as '2 hours ago').",
}
KIND = {"type": "string", "enum": list(KINDS)}
URL = {"type": "string", "description": "A URL relative to this server."}
LINK = {
    **_nullable({"type": "string"}),
    "description": "Where the story lives on the web, as the input gave it: the article's "
    "canonical URL, else a teaser's link; null when unknown. Not checked: it may be any "
    "scheme, so treat it as text unless it is http(s).",
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["ok", "status", "error"],
        "properties": {
            "ok": {"const": False},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "error": {"type": "string", "description": "What is wrong, in words."},
            "param": {"type": "string", "description": "The parameter at fault, if one is."},
        },
    },
    "RequestEcho": _object(
        {
            "q": {"type": "string"},
            "source": _strings(),
            "topic": _strings(),
            "kind": {"type": "array", "items": KIND},
            "from": _nullable(ISO_DATE),
            "to": _nullable(ISO_DATE),
            "sort": {"type": "string", "enum": list(SORTS)},
            "match": {"type": "string", "enum": list(MATCHES)},
            "group": clusters.GROUP_PARAM["schema"],
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        },
        "The request as validated, under the names of its parameters.",
    ),
    "ParsedQuery": _object(
        {
            "text": {"type": "string", "description": "The query as given."},
            "interpreted": {"type": "string", "description": "The query as it ran, as a query."},
            "terms": {**_strings(), "description": "The words searched for."},
            "notices": {
                **_strings(),
                "description": "What the engine changed and why (unparsable syntax, ...).",
            },
            "from": {**_nullable(ISO_TIME), "description": "Start the query text asked for."},
            "to": {**_nullable(ISO_TIME), "description": "End (exclusive) the text asked for."},
            "filters": {"type": "array", "items": _ref("QueryFilter")},
        }
    ),
    "QueryFilter": _object(
        {
            "facet": {"enum": ["source", "topic", "kind", "date"]},
            "values": {**_strings(), "description": "The values it stands for."},
            "typed": {"type": "string", "description": "The clause as written."},
            "without": {"type": "string", "description": "The query text without it."},
        },
        "A filter written in the query (source:, topic:, kind:, a date), applied as ticked "
        "values are: a source in the text and a ticked one are either-or.",
    ),
    "Hit": _object(
        {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "title_html": {"type": "string", "description": "Escaped HTML, terms in <mark>."},
            "source": {"type": "string"},
            "published": _nullable(ISO_TIME),
            "date_precision": PRECISION,
            "kind": KIND,
            "topics": _strings(),
            "pages": {**_strings(), "description": "Every page the story was seen on."},
            "snippets": {
                "type": "array",
                "maxItems": 3,
                "items": {"type": "string"},
                "description": "Escaped HTML fragments, matched terms in <mark>.",
            },
            "matched_in": {
                "type": "array",
                "items": {"type": "string", "enum": ["headline", "teaser", "body", "caption"]},
            },
            "score": {"type": ["number", "null"]},
            "link": LINK,
            "versions": {
                "type": "integer",
                "minimum": 1,
                "description": "How many versions of the story its source sent (re-sends "
                "folded into one story).",
            },
            "cluster": clusters.CLUSTER_REF,
            "more": clusters.MORE,
            "url": {
                **URL,
                "description": "The story in the API: `/api/stories/<id>`, with `?q=` "
                "when the search had query text, so that its terms are marked.",
            },
        }
    ),
    "FacetValue": _object(
        {
            "value": {"type": "string"},
            "label": {"type": "string", "description": "A topic's name, else the value."},
            "count": {"type": "integer", "minimum": 0},
            "selected": {"type": "boolean"},
            "toggle_url": {**URL, "description": "This search with the value ticked/unticked."},
        }
    ),
    "Histogram": _object(
        {
            "interval": {"type": "string", "enum": ["day", "week", "month", "year"]},
            "buckets": {
                "type": "array",
                "items": _object(
                    {
                        "start": ISO_DATE,
                        "end": {**ISO_DATE, "description": "First day after the bucket."},
                        "count": {"type": "integer", "minimum": 0},
                        "url": {**URL, "description": "This search narrowed to the bucket."},
                    }
                ),
            },
            "undated": {
                "type": "integer",
                "minimum": 0,
                "description": "Matches without a date: bucket counts + undated = total.",
            },
        }
    ),
    "SearchResults": _object(
        {
            "total": {"type": "integer", "minimum": 0},
            "groups": clusters.GROUPS_TOTAL,
            "took_ms": {"type": "number", "minimum": 0},
            "request": _ref("RequestEcho"),
            "query": _ref("ParsedQuery"),
            "hits": {"type": "array", "items": _ref("Hit")},
            "facets": _object(
                {facet: {"type": "array", "items": _ref("FacetValue")} for facet in FACETS},
                "Counts under every filter but the facet's own; ticked values always listed.",
            ),
            "histogram": _ref("Histogram"),
            "suggestion": _nullable(
                _object({"text": {"type": "string"}, "url": URL}, "Did you mean.")
            ),
            "any_total": {"type": ["integer", "null"], "description": "No hits: match=any's."},
            "any_url": _nullable(URL),
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "next": _nullable(URL),
            "prev": _nullable(URL),
            "generation": {"type": "string", "description": "The index generation searched."},
        }
    ),
    "StoryRef": (
        STORY_REF := _object(
            {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "source": {"type": "string"},
                "published": _nullable(ISO_TIME),
                "date_precision": PRECISION,
                "kind": KIND,
                "url": URL,
            }
        )
    ),
    "Story": _object(
        {
            "id": {"type": "string"},
            "kind": KIND,
            "title": {"type": "string"},
            "title_html": {"type": "string"},
            "source": {"type": "string"},
            "published": _nullable(ISO_TIME),
            "date_precision": PRECISION,
            **STORY_TOPICS,
            "pages": _strings(),
            "body": {"type": "string", "description": "Empty for a story seen only as a teaser."},
            "body_html": {
                **_strings(),
                "description": "One escaped HTML string per paragraph of the body (of the "
                "teaser text for a story seen only as a teaser), `q`'s terms in <mark>.",
            },
            "teaser": {"type": "string"},
            "captions": {
                "type": "array",
                "items": _object({"text": {"type": "string"}, "credit": {"type": "string"}}),
            },
            "captions_html": {
                **_strings(),
                "description": "Each caption's text as escaped HTML, `q`'s terms marked.",
            },
            "related": {"type": "array", "items": _ref("StoryRef")},
            "similar": {"type": "array", "items": _ref("StoryRef")},
            "link": LINK,
            "versions": {
                "type": "array",
                "items": _object({"id": {"type": "string"}, "published": ISO_TIME}),
                "description": "Each version its source sent, in time order, when there was "
                "more than one: the story shows the latest's text. Empty for a story sent once.",
            },
            "cluster": clusters.CLUSTER_REF,
            "url": URL,
        }
    ),
    "Stats": _object(
        {
            "stories": {"type": "integer", "minimum": 0},
            "kinds": {
                "type": "object",
                "properties": {kind: {"type": "integer"} for kind in KINDS},
                "required": list(KINDS),
            },
            "sources": {"type": "object", "additionalProperties": {"type": "integer"}},
            "topics": {"type": "object", "additionalProperties": {"type": "integer"}},
            "published": _object({"min": _nullable(ISO_TIME), "max": _nullable(ISO_TIME)}),
            "generation": {"type": "string"},
            "size_bytes": {"type": "integer", "minimum": 0},
            "built": {"type": "object", "description": "The build record."},
        }
    ),
}


def _param(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description, **extra}


def _repeatable(name: str, description: str, items: dict[str, Any] | None = None) -> dict:
    schema = {"type": "array", "items": items or {"type": "string"}, "maxItems": MAX_VALUES}
    return _param(name, schema, description, style="form", explode=True)


SEARCH_PARAMETERS = [
    _param(
        "q",
        {"type": "string"},
        'Query text (docs/searching.md): words (all must match), "phrases", compounds '
        "(G-7, AT&T: phrases of their parts), OR/|, AND/&&, NOT/-word/!word, +word, "
        "parentheses, title:, source:, topic:, caption:, id:, prefix*, dates (after:, before:, "
        "date:YYYY[-MM[-DD]], A..B, >=, when:7d). Never an error and never too long; "
        "empty browses everything, newest first.",
    ),
    _repeatable("source", "Only these sources (any of them)."),
    _repeatable("topic", "Only these topics (any of them)."),
    _repeatable("kind", "Only these kinds (any of them).", KIND),
    _param("from", DATE_PARAM, "First day included (UTC), 1000-01-01 to 9999-12-31; empty: none."),
    _param("to", DATE_PARAM, "Last day included (UTC), not before `from`; empty: no upper bound."),
    _param("sort", {"type": "string", "enum": list(SORTS), "default": "relevance"}, "Order."),
    _param(
        "match",
        {"type": "string", "enum": list(MATCHES), "default": "all"},
        "Whether all plain words must match or any (ranked by how many match).",
    ),
    clusters.GROUP_PARAM,
    _param("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "Page."),
    _param(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 10},
        "Hits per page.",
    ),
]


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    meaning = {
        400: "A bad parameter; `param` names it.",
        404: "No story with this id.",
        405: "Method not allowed (only GET).",
        500: "An unexpected error (logged on the server; no details here).",
        503: "No index has been built yet, or it cannot be read right now.",
    }
    return {str(s): _json(_ref("Error"), meaning[s]) for s in statuses}


def document() -> dict[str, Any]:
    """The OpenAPI document, as a dict ready for ``jsonify``."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "newsdex",
            "version": "1",
            "summary": "Full-text search over a crawl of news pages.",
            "description": "Errors are JSON of one shape (`Error`); response URLs are relative.",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Search stories: hits, facets, date histogram, pager links.",
                    "parameters": SEARCH_PARAMETERS,
                    "responses": {
                        "200": _json(_ref("SearchResults"), "One page of results."),
                        **_errors(400, 405, 500, 503),
                    },
                }
            },
            "/api/stories/{id}": {
                "get": {
                    "operationId": "story",
                    "summary": "One story in full, with related and similar stories.",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                            "description": "A story's id, or the id of a version folded into "
                            "a story: then that story is returned, under its own `id`.",
                        },
                        _param(
                            "q",
                            {"type": "string"},
                            "A query whose terms are marked in `title_html` and `body_html`.",
                        ),
                    ],
                    "responses": {
                        "200": _json(_ref("Story"), "The story."),
                        **_errors(400, 404, 405, 500, 503),
                    },
                }
            },
            "/api/clusters/{id}": clusters.cluster_path(
                {"200": _json(_ref("Cluster"), "The cluster."), **_errors(404, 405, 500, 503)}
            ),
            "/api/stats": {
                "get": {
                    "operationId": "stats",
                    "summary": "What the index holds (as `newsdex stats --json`).",
                    "responses": {
                        "200": _json(_ref("Stats"), "Index statistics."),
                        **_errors(405, 500, 503),
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document.",
                    "responses": {
                        "200": _json({"type": "object"}, "The OpenAPI 3.1 document."),
                        **_errors(405, 500),
                    },
                }
            },
            **more.paths(SEARCH_PARAMETERS, _errors, _json, _ref),
        },
        "components": {
            "schemas": SCHEMAS | more.SCHEMAS | {"Cluster": clusters.cluster_schema(STORY_REF)}
        },
    }
