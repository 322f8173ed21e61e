"""The clusters' part of the OpenAPI document (``web.openapi``): one event told by several
sources, the ``group`` parameter that lists it once, and ``/api/clusters/{id}``."""

from __future__ import annotations

from typing import Any

from search.models import GROUPS

URL = {"type": "string", "description": "A URL relative to this server."}

CLUSTER_REF: dict[str, Any] = {
    "anyOf": [
        {
            "type": "object",
            "required": ["id", "stories", "url"],
            "properties": {
                "id": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
                "stories": {"type": "integer", "minimum": 0},
                "url": {**URL, "description": "The cluster in the API: `/api/clusters/<id>`."},
            },
        },
        {"type": "null"},
    ],
    "description": "The event this story is part of, as other sources ran it too "
    "(`stories`: how many the cluster holds); null when no other source did.",
}

GROUP_PARAM = {
    "name": "group",
    "in": "query",
    "schema": {"type": "string", "enum": list(GROUPS), "default": "none"},
    "description": "`cluster`: one hit per event, its best match leading, the cluster's other "
    "matches in its `more`; `total` still counts stories, `groups` the hits listed.",
}

MORE = {
    "type": "array",
    "items": {"$ref": "#/components/schemas/StoryRef"},
    "maxItems": 20,
    "description": "With group=cluster: the cluster's other matching stories, by time.",
}

GROUPS_TOTAL = {
    "type": ["integer", "null"],
    "description": "With group=cluster: how many hits the grouped list has; else null.",
}


def cluster_schema(story_ref: dict[str, Any]) -> dict[str, Any]:
    """``Cluster``: a cluster with its members; ``story_ref`` is the ``StoryRef`` schema."""
    member = {
        **story_ref,
        "required": [*story_ref["required"], "first", "wire"],
        "properties": {
            **story_ref["properties"],
            "first": {"type": "boolean", "description": "The earliest story of the cluster."},
            "wire": {
                "type": ["string", "null"],
                "description": "The id of the first story that carried the same wire copy "
                "(this story's own id when it is that one); null: in its own words.",
            },
        },
    }
    return {
        "type": "object",
        "required": ["id", "stories", "sources", "members", "url"],
        "properties": {
            "id": {"type": "string"},
            "stories": {"type": "integer", "minimum": 1},
            "sources": {"type": "array", "items": {"type": "string"}},
            "members": {"type": "array", "items": member, "description": "By time."},
            "url": URL,
        },
    }


def cluster_path(responses: dict[str, Any]) -> dict[str, Any]:
    """The path item of ``/api/clusters/{id}`` (``responses``: its errors and success)."""
    return {
        "get": {
            "operationId": "cluster",
            "summary": "One event and all its coverage: the cluster's stories by time.",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": responses,
        }
    }
