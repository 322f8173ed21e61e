"""newsdex: full-text search for crawls of news pages.

The library: readers, stories, topics, the Whoosh schema, the indexer and the search engine.
Importing it loads no web framework.
"""

__version__ = "0.1.0"
