"""The bulk writer's index answers exactly as one written with Whoosh's default settings."""

from __future__ import annotations

import pytest
from whoosh import index as whoosh_index
from whoosh.qparser import MultifieldParser

from search.indexing import indexer
from search.indexing.generations import IndexDir
from search.indexing.whoosh_private import segment_writer
from search.ingest.topics import Taxonomy
from tests.conftest import CRAWLED

QUERIES = ["ferry", '"winter fares"', "mayor AND budget", "lightho*", "title:dam", "eskvale"]


def hits(index, query):
    ix = whoosh_index.open_dir(str(IndexDir(index).current().path), indexname="MAIN")
    with ix.searcher() as s:
        q = MultifieldParser(["title", "teaser", "body"], ix.schema).parse(query)
        return [(h["id"], round(h.score, 6)) for h in s.search(q, limit=None)]


@pytest.mark.parametrize("query", QUERIES)
def test_inlined_postings_answer_like_blocks(tmp_path, pages_dir, monkeypatch, query):
    built = {}
    for limit in (1, segment_writer.INLINE_LIMIT):
        monkeypatch.setattr(segment_writer, "INLINE_LIMIT", limit)
        built[limit] = tmp_path / f"ix{limit}"
        indexer.build(
            [pages_dir],
            built[limit],
            taxonomy=Taxonomy.default(),
            crawled_at=CRAWLED,
            progress=False,
        )
    plain, inlined = (hits(built[k], query) for k in sorted(built))
    assert plain == inlined != []
