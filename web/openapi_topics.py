"""The OpenAPI schema of a story's topics and why it has them (``/api/stories/<id>``).

Its own module beside ``openapi``: the explanation of topics (issue 11) is one piece of the
story's shape, written as data like the rest of the document.
"""

from __future__ import annotations

from typing import Any

TOPIC_REASON: dict[str, Any] = {
    "type": "object",
    "required": ["topic", "label", "confidence", "words", "origin"],
    "properties": {
        "topic": {"type": "string", "description": "The topic's id, as in `topics`."},
        "label": {
            "type": "string",
            "description": "Its name, the same as the topic facet's `label`.",
        },
        "confidence": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "How sure newsdex is (1 for a topic the input carried or a beat).",
        },
        "words": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The story's own words that decided the topic (none for a topic "
            "the input carried or a beat).",
        },
        "origin": {
            "enum": ["learned", "words", "beat", "input"],
            "description": "`learned`: the classifier trained on this corpus; `words`: the "
            "topic word lists alone (a corpus too small to learn from); `beat`: a query of "
            "the topics file matched; `input`: the story came with it.",
        },
    },
}

STORY_TOPICS: dict[str, Any] = {
    "topics": {"type": "array", "items": {"type": "string"}},
    "topic_reasons": {
        "type": "array",
        "items": TOPIC_REASON,
        "description": "One per topic, in the order of `topics`: why the story has it.",
    },
    "no_confident_topic": {
        "type": "boolean",
        "description": "True when no topic was confident enough to assign: newsdex does not "
        "guess (topics the input carried may still be there).",
    },
}
"""The properties of ``Story`` about its topics."""
