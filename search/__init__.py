"""newsdex: full-text search for crawls of news pages; the library.

Its packages follow the data, and each imports only from those before it (and ``ingest``
the text analysis, ``indexing.analysis``, so that topics match the index's own terms)::

    readers/ --Page--> ingest/ --Story--> indexing/ --index--> searching/ --SearchResults-->
        --> interface/ (and web/) --> HTML | JSON | terminal

- ``models``: the records every stage shares; ``errors``: what newsdex raises.
- ``readers``: files to ``Page`` records, one module per input format.
- ``ingest``: pages to ``Story`` records (folding duplicates), and their topics.
- ``indexing``: the schema and analysis, builds and updates, the index folder and its format;
  ``indexing.whoosh_private`` fences off the code that relies on Whoosh's internals.
- ``searching``: requests to results: the query language, matching, facets, highlights.
- ``persisted``: the fixed names the index's pickles refer to.
- ``interface``: what the front ends share: request parsing, JSON shapes, marked text as HTML.
- ``cli``: the ``newsdex`` command (also ``python -m search``).

May import: Whoosh, numpy and the other libraries of the pipeline; never a web framework or
``web``: the front ends import the library, never the reverse (``tests/test_layout.py``; only
``newsdex serve`` imports ``web``, inside the command). Importing ``search`` loads nothing
else.
"""

__version__ = "0.1.0"
