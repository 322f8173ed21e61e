"""Searching: a ``SearchRequest`` in, ``SearchResults`` (plain records, no HTML) out.

``reader`` reads the query language by its written rules into a tree of ``clauses``
(``query_dates``: what its dates mean); ``query`` meets that tree with the index and makes
the matcher's query (``query_filters``: the source, topic and kind clauses it applies as
filters); ``matching`` runs it over whole posting lists as numpy arrays
(``scored_postings``: each term's postings, scored; ``coordination``: Whoosh's any-word
bonus); ``facets`` counts facets and the date histogram; ``highlight`` finds the matched words
as data (``Marked``); ``spelling`` suggests corrections; ``budget`` bounds a search's time.
``engine`` is the one place a searcher is open (``generation``: one opened generation;
``results``: one search; ``story``: one story in full; ``export``: every match, one story at
a time; ``coverage``: matches per interval by source or topic); ``stats`` says what an index
holds.

May import: ``search.models``, ``search.errors``, ``search.ingest`` (topic labels),
``search.indexing`` (the schema, analysis, generations and, for the raw reading of postings
and columns, ``search.indexing.whoosh_private``) and Whoosh's public modules; never
``search.interface``, ``web`` nor a web framework.
"""
