"""The fixed names under which newsdex's own classes are pickled into an index.

Whoosh pickles the schema (with each field's class and analyzer) and every segment (with its
codec) into the index's table of contents, and unpickling finds each class again by the
module and name it was pickled under. Pickled under the module that implements them, an index
would break with a ``ModuleNotFoundError`` the day that module moves. So every class of ours
that reaches a pickle names this module as its ``__module__`` (set in the class body), and this
module re-exports it: the implementation can move anywhere as long as the imports below follow.

Never remove or rename a name here while an index that pickles it may exist; change
``index_format.FORMAT_VERSION`` instead (tests/test_index_format.py checks that every global a
real table of contents names from ``search`` is one of these).
"""

from __future__ import annotations

from search.indexing.analysis import NewsAnalyzer
from search.indexing.schema import NewsText
from search.indexing.whoosh_private.segment_writer import BulkCodec

__all__ = ["BulkCodec", "NewsAnalyzer", "NewsText"]
