"""The bulk writer's index answers exactly as one written by Whoosh's own writer.

The bulk writer (``BulkSegmentWriter`` with ``BulkCodec``: inlined short posting lists, packed
position blocks, lengths read once) is compared with Whoosh's default ``SegmentWriter`` and
``W3Codec`` writing the same documents, and with itself at Whoosh's default inline limit.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.qparser import MultifieldParser
from whoosh.writing import SegmentWriter

from search.indexing import indexer
from search.indexing.generations import IndexDir
from search.indexing.schema import INDEX_NAME, StorySchema, analyse, story_to_document
from search.indexing.whoosh_private import segment_writer
from search.ingest.stories import fold
from search.ingest.topics import Taxonomy
from search.readers import read_file, walk
from tests.conftest import CRAWLED

QUERIES = ["ferry", '"winter fares"', "mayor AND budget", "lightho*", "title:dam", "eskvale"]


def hits(index, query):
    return hits_in(IndexDir(index).current().path, query)


def hits_in(folder, query):
    ix = whoosh_index.open_dir(str(folder), indexname="MAIN")
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


def written_by_whoosh(folder, pages_dir):
    """The stories of ``pages_dir`` as ``indexer.build`` makes them, written into ``folder`` by
    Whoosh's own writer with its default codec and settings."""
    taxonomy = Taxonomy.default()
    pages = [page for path in walk([pages_dir]) for page in read_file(path, CRAWLED).pages]
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), StorySchema(), indexname=INDEX_NAME)
    writer = ix.writer()
    assert type(writer) is SegmentWriter and type(writer.codec) is W3Codec
    with writer:
        for story in fold(pages).stories:
            analysed = analyse(story)
            body = analysed["teaser"] + analysed["body"]
            topics = taxonomy.assign(analysed["title"], body, story.given_topics)
            writer.add_document(**story_to_document(replace(story, topics=topics), analysed))
    return folder


@pytest.mark.parametrize("query", QUERIES)
def test_the_bulk_writer_answers_like_whooshs_default_writer(tmp_path, pages_dir, query):
    bulk = tmp_path / "bulk"
    indexer.build(
        [pages_dir], bulk, taxonomy=Taxonomy.default(), crawled_at=CRAWLED, progress=False
    )
    default = written_by_whoosh(tmp_path / "default", pages_dir)
    assert sorted(hits(bulk, query)) == sorted(hits_in(default, query)) != []
