"""What the front ends share: request parsing, result shapes and marked text as HTML.

The JSON API (``web.api``), the pages (``web``) and the CLI (``newsdex search --json``) take
the same parameters and print the same shapes; this package holds them, free of any web
framework, so the CLI needs no Flask and prints exactly what the API serves.

- ``params``: query-string arguments <-> ``SearchRequest``, and the URLs back (pager links,
  facet toggles).
- ``serialize``: ``SearchResults`` and ``StoryDetail`` as JSON-ready dicts (the API's shape).
- ``marks``: ``Marked`` text as escaped HTML with ``<mark>`` (the API's ``*_html`` fields and
  the pages' highlights).
- ``export``: every match as CSV or JSON Lines lines (``/search.csv``, ``newsdex search --all``).
- ``coverage``: the coverage chart's parameters, JSON, CSV and the URL of each point.

May import: ``search.models``, ``search.errors`` and the standard library; never ``web``, a
web framework, nor the engine.
"""
