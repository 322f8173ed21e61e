"""Searching: a ``SearchRequest`` in, ``SearchResults`` (plain records, no HTML) out.

``query`` reads the query language into a Whoosh query; ``matching`` runs it over whole posting
lists as numpy arrays; ``facets`` counts facets and the date histogram; ``highlight`` finds the
matched words as data (``Marked``); ``spelling`` suggests corrections; ``engine`` is the one
place a searcher is open.

May import: ``search.models``, ``search.errors``, ``search.indexing`` (the index's schema,
analysis, generations and, for the raw reading of postings and columns,
``search.indexing.whoosh_private``) and Whoosh's public modules; never a web framework.
"""
