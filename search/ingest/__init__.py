"""Ingest: pages become the stories the index holds, each with its topics.

``stories`` folds the pages the readers made into ``Story`` records (one per story, however
many pages showed it); ``topics`` holds the taxonomy (word lists and beats); ``labelling``
files every story under its topics at once, with a classifier learned from the corpus
(``topic_model``, over the words ``topic_features`` counts).

May import: ``search.models``, ``search.errors``, ``search.indexing.analysis`` (topics are
matched on the index's own terms), numpy, PyStemmer and Whoosh's public query parser; never
the index itself, nor ``search.searching``.
"""
