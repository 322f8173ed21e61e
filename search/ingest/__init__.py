"""Ingest: pages become the stories the index holds, each with its topics.

``stories`` folds the pages the readers made into ``Story`` records (one per story, however
many pages showed it); ``topics`` files each story under the taxonomy's topics and beats.

May import: ``search.models``, ``search.errors``, ``search.indexing.analysis`` (topics are
matched on the index's own terms) and Whoosh's public query parser; never the index itself,
nor ``search.searching``.
"""
