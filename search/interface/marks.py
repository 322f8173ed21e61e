"""``Marked`` text as HTML: escaped, each matched word in ``<mark>``.

The one renderer of highlights to HTML: the JSON API's ``title_html``, ``snippets`` and
``body_html``, ``newsdex search --json`` and the pages' ``highlighted`` filter all use it, so
the only markup a page takes as safe is made here, from text it has escaped itself.
"""

from __future__ import annotations

from html import escape

from search.models import Marked


def to_html(marked: Marked) -> str:
    """Escaped HTML with each matched run in ``<mark>``."""
    return "".join(
        f"<mark>{escape(text)}</mark>" if matched else escape(text) for text, matched in marked.runs
    )
