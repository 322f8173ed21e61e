"""The OpenAPI description of the analyst's endpoints: every match as CSV or JSON Lines,
and coverage over time (``/api/coverage`` and its CSV). ``web.openapi`` merges it into the
document it serves; the parameters and limits come from the same constants as the code.
"""

from __future__ import annotations

from typing import Any

from search.coverage_models import BREAKDOWNS, INTERVALS, MEASURES
from search.interface.coverage import CSV_COLUMNS
from search.interface.export import COLUMNS


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": list(properties), "properties": properties}


def _param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


def _counts(description: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "integer", "minimum": 0}, "description": description}


URL = {"type": "string", "description": "A URL relative to this server."}

SCHEMAS: dict[str, Any] = {
    "Coverage": _object(
        {
            "interval": {"type": "string", "enum": list(INTERVALS)},
            "by": {"enum": [*BREAKDOWNS, None]},
            "measure": {"type": "string", "enum": list(MEASURES)},
            "buckets": {
                "type": "array",
                "items": _object(
                    {
                        "start": {"type": "string", "format": "date"},
                        "end": {
                            "type": "string",
                            "format": "date",
                            "description": "First day after the interval.",
                        },
                        "stories": {
                            "type": "integer",
                            "minimum": 0,
                            "description": "Every story under the filters in the interval.",
                        },
                    }
                ),
                "description": "The time axis: every interval from the first match to the last.",
            },
            "queries": {
                "type": "array",
                "minItems": 1,
                "maxItems": 3,
                "items": _object(
                    {
                        "q": {"type": "string"},
                        "total": {"type": "integer", "minimum": 0},
                        "undated": {"type": "integer", "minimum": 0},
                        "url": {**URL, "description": "The search for this query."},
                    }
                ),
            },
            "series": {
                "type": "array",
                "items": _object(
                    {
                        "query": {"type": "integer", "minimum": 0, "maximum": 2},
                        "value": {
                            **_nullable({"type": "string"}),
                            "description": "The source or topic; null without `by` and "
                            "for the other values.",
                        },
                        "other": {
                            "type": "boolean",
                            "description": "The series of the values outside the top 5.",
                        },
                        "others": _nullable({"type": "array", "items": {"type": "string"}}),
                        "total": {"type": "integer", "minimum": 0},
                        "counts": _counts("Matches per interval (one per bucket)."),
                        "of": {
                            **_nullable(_counts("")),
                            "description": "measure=share: all stories of the same value "
                            "under the filters, per interval.",
                        },
                        "shares": _nullable(
                            {
                                "type": "array",
                                "items": {
                                    "anyOf": [
                                        {"type": "number", "minimum": 0, "maximum": 1},
                                        {"type": "null"},
                                    ]
                                },
                            }
                        ),
                        "urls": {
                            "type": "array",
                            "items": URL,
                            "description": "The search narrowed to each interval and series.",
                        },
                    }
                ),
            },
            "notices": {"type": "array", "items": {"type": "string"}},
            "csv_url": URL,
            "generation": {"type": "string"},
        }
    ),
}

COVERAGE_PARAMETERS = [
    _param("q2", {"type": "string"}, "A second query, charted beside `q`."),
    _param("q3", {"type": "string"}, "A third query."),
    _param(
        "interval",
        {"type": "string", "enum": ["auto", *INTERVALS], "default": "auto"},
        "The length of a bar; auto: by the span of the matches' dates.",
    ),
    _param(
        "by",
        {"type": "string", "enum": ["none", *BREAKDOWNS], "default": "none"},
        "Break each query down by its top 5 sources or topics, and the rest.",
    ),
    _param(
        "measure",
        {"type": "string", "enum": list(MEASURES), "default": "count"},
        "count, or share: of all stories under the same filters (of the same source or "
        "topic with `by`) in the interval.",
    ),
]


def _text(media: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "string"}}}}


def paths(search_parameters: list[dict], errors: Any, json: Any, ref: Any) -> dict[str, Any]:
    """The paths, given ``web.openapi``'s search parameters and response helpers."""
    columns = ", ".join(COLUMNS)
    export = {
        "parameters": search_parameters,
        "responses": {"200": {}, **errors(400, 405, 500, 503)},
    }
    coverage_parameters = search_parameters + COVERAGE_PARAMETERS
    return {
        "/api/search.csv": {
            "get": {
                **export,
                "operationId": "export_csv",
                "summary": "Every match of the search as CSV, streamed, in the search's order.",
                "responses": {
                    **export["responses"],
                    "200": _text("text/csv", f"A header line ({columns}), then one per story."),
                },
            }
        },
        "/api/search.jsonl": {
            "get": {
                **export,
                "operationId": "export_jsonl",
                "summary": "Every match of the search as JSON Lines, streamed.",
                "responses": {
                    **export["responses"],
                    "200": _text("application/x-ndjson", f"One object per story ({columns})."),
                },
            }
        },
        "/api/coverage": {
            "get": {
                "operationId": "coverage",
                "summary": "Matches per interval for up to three queries, by source or topic.",
                "parameters": coverage_parameters,
                "responses": {
                    "200": json(ref("Coverage"), "The chart's data."),
                    **errors(400, 405, 500, 503),
                },
            }
        },
        "/api/coverage.csv": {
            "get": {
                "operationId": "coverage_csv",
                "summary": "The coverage data as CSV: one line per series and interval.",
                "parameters": coverage_parameters,
                "responses": {
                    "200": _text("text/csv", f"Columns: {', '.join(CSV_COLUMNS)}."),
                    **errors(400, 405, 500, 503),
                },
            }
        },
    }
