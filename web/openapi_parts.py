"""The building blocks of the OpenAPI document (``web.openapi``): dates, and the shapes of
objects, arrays and references its schemas are written with."""

from __future__ import annotations

from typing import Any

ISO_TIME = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$",
    "description": "ISO 8601 date and time in UTC, without an offset.",
}
ISO_DATE = {"type": "string", "format": "date"}
DATE_PARAM = {
    "type": "string",
    "anyOf": [{"format": "date", "pattern": "^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$"}, {"maxLength": 0}],
}
"""A date parameter: a four-digit-year ISO date, or empty for no bound (as a form sends it)."""


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    """An object whose every listed property is always present."""
    schema: dict[str, Any] = {
        "type": "object",
        "required": list(properties),
        "properties": properties,
    }
    if description:
        schema["description"] = description
    return schema


def strings() -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}}
