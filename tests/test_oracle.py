"""The numpy matcher held against Whoosh 2.7.4 itself, on fresh and on updated indexes.

Every query is parsed as the engine parses it, then run twice: through ``Matcher.run`` and
through Whoosh's ``searcher.search(q, limit=None, scored=True)`` with its default ``BM25F``.
Both must find the same stories with the same scores, hence in the same order. The facet
columns and the decoded phrase positions are held against Whoosh's own readers the same way.
An *updated* index is one that ``indexer.update`` changed: its old segments keep deleted
documents, which Whoosh still counts in its statistics, and a new segment holds the rewrites.
"""

from __future__ import annotations

import json
import math
import random
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.qparser import AndGroup, MultifieldParser, OrGroup, PlusMinusPlugin

from search.indexing import indexer
from search.indexing.analysis import normalise
from search.indexing.generations import IndexDir, hold_current
from search.indexing.schema import TOPIC_SEPARATOR, StorySchema
from search.indexing.whoosh_private import column_arrays
from search.ingest.topics import Taxonomy
from search.searching.generation import Generation, open_generation
from search.searching.query import TEXT_FIELDS, compile_query
from tests.conftest import REUTERS

NOW = datetime(2025, 6, 1)
REL = 1e-6

# --- a small fictional corpus, long enough for Whoosh's every-ten-matches behaviour -------

WORDS = (
    "ferry harbour council budget strike crews dam cracks vote island quay terminal "
    "tide lighthouse keepers pay union repairs spillway orchard harvest election count"
).split()
SOURCES = ("Harbour Herald", "Valley Courier", "Northgate Gazette")
TOPICS = ("transport", "labour", "politics", "environment")


def _parser(match: str) -> MultifieldParser:
    """Whoosh's own parser over the text fields, for shapes only it makes (a coordinated
    ``Or`` nested in another operator): the matcher must score them as Whoosh does."""
    group = AndGroup if match == "all" else OrGroup.factory(0.9)
    parser = MultifieldParser(list(TEXT_FIELDS), schema=StorySchema(), group=group)
    parser.add_plugin(PlusMinusPlugin())
    return parser


def fictional_stories(seed: int = 8, count: int = 60) -> list[dict]:
    rng = random.Random(seed)
    stories = []
    for n in range(count):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(4, 60)))
        story = {
            "id": f"story-{n}",
            "title": " ".join(rng.sample(WORDS, rng.randrange(1, 5))).capitalize(),
            "source": rng.choice(SOURCES),
            "body": body + ".",
            "topics": rng.sample(TOPICS, rng.randrange(0, 3)),
        }
        if n % 7:
            story["published"] = f"2025-0{1 + n % 5}-{1 + n % 27:02d}"
        if n % 5 == 0:
            story["captions"] = [{"text": " ".join(rng.sample(WORDS, 3)), "credit": "DESK"}]
        if n % 9 == 0:
            story["kind"] = "teaser"
        stories.append(story)
    return stories


NEW_STORY = {"id": "story-new", "title": "Ferry vote", "source": SOURCES[0], "body": "Ferry pay."}


def write_stories(folder: Path, stories: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stories.jsonl").write_text("\n".join(json.dumps(s) for s in stories) + "\n")
    return folder


def edited(stories: list[dict]) -> list[dict]:
    """Some stories rewritten in place, the last three gone: an update deletes and rewrites.
    (Lines stay where they were: a story's location is its line, part of its fingerprint.)"""
    out = [dict(s) for s in stories[:-3]]
    for story in out[::6]:
        story["body"] = story["body"] + " ferry strike ferry vote."
    return out


def build(corpus: Path, index: Path) -> None:
    report = indexer.build([corpus], index, taxonomy=Taxonomy.default(), progress=False)
    assert report.published, report


def update(corpus: Path, index: Path) -> None:
    report = indexer.update([corpus], index, taxonomy=Taxonomy.default(), progress=False)
    assert report.published and report.deleted, report


def opened(index: Path) -> Generation:
    """The engine's own per-generation objects: searcher, matcher, columns, vocabulary."""
    return open_generation(hold_current(IndexDir(index)))


@pytest.fixture(scope="module", params=["fresh", "updated"])
def small(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Generation]:
    root = tmp_path_factory.mktemp(f"oracle-{request.param}")
    corpus = write_stories(root / "corpus", fictional_stories())
    build(corpus, root / "index")
    if request.param == "updated":
        write_stories(corpus, edited(fictional_stories()))
        (corpus / "more.jsonl").write_text(json.dumps(NEW_STORY) + "\n")
        update(corpus, root / "index")
    gen = opened(root / "index")
    if request.param == "updated":
        assert gen.matcher.live_count < gen.matcher.doc_count and len(gen.matcher.leaves) > 1
    yield gen
    gen.close()


@pytest.fixture(scope="module", params=["fresh", "updated"])
def reuters(
    request: pytest.FixtureRequest, reuters_index: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Generation]:
    """Reuters as the session built it, or a copy of that updated with one file rewritten
    (read through links, so every other file keeps its name in the manifest)."""
    index = reuters_index
    if request.param == "updated":
        root = tmp_path_factory.mktemp("reuters-updated")
        index = root / "index"
        shutil.copytree(reuters_index, index)
        folder = root / "corpus"
        folder.mkdir()
        files = sorted(REUTERS.glob("*.sgm"))
        for path in files:
            (folder / path.name).symlink_to(path)
        rewritten = files[3]
        text = rewritten.read_text(encoding="latin-1").replace("</BODY>", " revised</BODY>")
        (folder / rewritten.name).unlink()
        (folder / rewritten.name).write_text(text, encoding="latin-1")
        update(folder, index)
    gen = opened(index)
    if request.param == "updated":
        assert gen.matcher.live_count < gen.matcher.doc_count
    yield gen
    gen.close()


# --- the oracle -----------------------------------------------------------------------------


def whoosh_scores(gen: Generation, q: wq.Query) -> dict[int, float]:
    """Whoosh's matches and scores, less what two bugs of 2.7.4 add (each checked to be only
    that bug's doing):

    - ``AndNotMatcher`` compares the first document of its positive side with the negated
      side only when both start on the same document, so in each segment the first match of
      ``a`` comes back even when ``b`` matches it;
    - ``InverseMatcher`` (``Not``) checks for deletions only until it steps past the negated
      query's last match, so it can yield a deleted document.
    """
    searcher = gen.searcher
    reader = searcher.reader()
    found = dict(searcher.search(q, limit=None, scored=True).items())
    deleted = {d for d in found if reader.is_deleted(d)}
    if not _has_not(q):
        assert not deleted, q
    wrong: set[int] = set()
    if isinstance(q, wq.AndNot):
        banned = set(dict(searcher.search(q.b, limit=None).items()))
        wrong = {d for d in found if d in banned}
        positive = np.array(sorted(dict(searcher.search(q.a, limit=None).items())), dtype=int)
        starts = [offset for _, offset in reader.leaf_readers()]
        at = np.searchsorted(positive, starts)
        firsts = {int(positive[i]) for i in at[at < len(positive)]}
        assert wrong <= firsts, (q, wrong - firsts)
    return {d: s for d, s in found.items() if d not in deleted | wrong}


def _has_not(q: wq.Query) -> bool:
    return isinstance(q, wq.Not) or any(_has_not(c) for c in q.children())


def assert_like_whoosh(gen: Generation, q: wq.Query) -> int:
    """Same stories, Whoosh's scores to 1e-6, Whoosh's order (ties by document number)."""
    ids, scores = gen.matcher.run(q)
    ours = dict(zip(ids.tolist(), scores.tolist(), strict=True))
    theirs = whoosh_scores(gen, q)
    assert len(ours) == len(ids)
    assert set(ours) == set(theirs), (q, set(ours) ^ set(theirs))
    for doc, score in theirs.items():
        assert math.isclose(ours[doc], score, rel_tol=REL, abs_tol=1e-12), (q, doc, score)
    our_order = sorted(ours, key=lambda d: (-ours[d], d))
    their_order = sorted(theirs, key=lambda d: (-theirs[d], d))
    # Equal up to scores that differ only in the last bits (the sums are added in another order).
    for mine, whooshs in zip(our_order, their_order, strict=True):
        assert mine == whooshs or math.isclose(theirs[mine], theirs[whooshs], rel_tol=1e-12), q
    return len(ours)


def compiled(gen: Generation, text: str, match: str = "all") -> wq.Query:
    q = compile_query(text, match, gen.vocab, NOW).query
    assert q is not None, text
    return q


SMALL_QUERIES = [
    ("ferry", "all"),
    ("ferry strike", "all"),
    ("ferry harbour dam", "any"),
    ('"ferry strike"', "all"),
    ("ferry -strike", "all"),
    ("ferry NOT strike", "all"),
    ("-ferry", "all"),
    ("title:harbour", "all"),
    ("title:harbour body:dam", "any"),
    ("caption:ferry", "all"),
    ("ter*", "all"),
    ("ferry^2 dam", "any"),
    ("ferry^0.5 dam^3", "all"),
    ('"ferry strike"^2 vote', "any"),
    ("(cracks OR dam) AND ferry", "all"),
    ("source:valley ferry", "all"),
    ("topic:labour OR ferry", "all"),
    ("+ferry harbour strike", "any"),
]
COORDINATED = [
    # The parser's 0.9 coordination survives only where an Or is nested in another
    # operator; ``compile_query`` rebuilds the tree and drops it (Or.apply keeps no scale).
    "ferry AND (harbour strike crews)",
    "(ferry dam vote pay) AND NOT tide",
    "island AND (title:ferry OR quay OR body:vote pay)",
]


@pytest.mark.parametrize(("text", "match"), SMALL_QUERIES)
def test_small_index_scores_like_whoosh(small: Generation, text: str, match: str) -> None:
    assert_like_whoosh(small, compiled(small, text, match))


@pytest.mark.parametrize("text", COORDINATED)
def test_coordinated_or_scores_like_whoosh(small: Generation, text: str) -> None:
    q = _parser("any").parse(text)
    assert any(getattr(n, "scale", None) for n in _nodes(q)), q
    assert assert_like_whoosh(small, q) > 10  # more than one of Whoosh's rebuilds


def _nodes(q: wq.Query) -> list[wq.Query]:
    return [q, *(n for c in q.children() for n in _nodes(c))]


@settings(max_examples=40, deadline=None)
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
    match=st.sampled_from(["all", "any"]),
    shape=st.sampled_from(["plain", "phrase", "negated", "titled", "boosted", "grouped"]),
)
def test_random_queries_score_like_whoosh(
    small: Generation, words: list[str], match: str, shape: str
) -> None:
    if shape == "phrase":
        text = f'"{" ".join(words)}"'
    elif shape == "negated":
        text = " ".join(words[:-1] + [f"-{words[-1]}"])
    elif shape == "titled":
        text = " ".join(f"title:{w}" if i % 2 else w for i, w in enumerate(words))
    elif shape == "boosted":
        text = " ".join(f"{w}^{i + 1}" for i, w in enumerate(words))
    else:
        text = f"{words[0]} AND ({' '.join(words[1:])})" if shape == "grouped" else " ".join(words)
    q = compile_query(text, match, small.vocab, NOW).query
    if q is not None:
        assert_like_whoosh(small, q)
    if shape == "grouped" and len(words) > 2:
        assert_like_whoosh(small, _parser("any").parse(text))


REUTERS_QUERIES = [
    ("oil", "all"),
    ("oil prices", "all"),
    ("oil prices opec", "any"),
    ('"oil prices"', "all"),
    ('"raises crude oil prices"', "all"),
    ("oil -opec", "all"),
    ("-oil", "all"),
    ("title:coffee", "all"),
    ("export*", "all"),
    ("crude^2 oil", "any"),
    ("topic:economy coffee", "all"),
    ("(cocoa OR coffee) AND quota NOT brazil", "all"),
    ("+wheat soviet grain", "any"),
]


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize(("text", "match"), REUTERS_QUERIES)
def test_reuters_scores_like_whoosh(reuters: Generation, text: str, match: str) -> None:
    assert_like_whoosh(reuters, compiled(reuters, text, match))


@pytest.mark.corpus
@pytest.mark.slow
def test_reuters_coordinated_or_scores_like_whoosh(reuters: Generation) -> None:
    assert assert_like_whoosh(reuters, _parser("any").parse("prices AND (oil opec output)")) > 100


# --- statistics, columns and positions against Whoosh's readers -----------------------------


def test_live_documents_and_frequencies_are_whooshs(small: Generation) -> None:
    reader = small.searcher.reader()
    deleted = [reader.is_deleted(d) for d in range(reader.doc_count_all())]
    assert small.matcher.live.tolist() == [not d for d in deleted]
    assert small.matcher.live_count == reader.doc_count()
    for word in (normalise(w) for w in ("ferry", "strike", "harbour", "absent")):
        expected = reader.doc_frequency("body", word)
        assert small.matcher.doc_frequency("body", word) == expected
        small.matcher.term("body", word)  # cached now, and still Whoosh's count
        assert small.matcher.doc_frequency("body", word) == expected


def assert_columns_like_whoosh(gen: Generation) -> None:
    reader = gen.searcher.reader()
    columns = gen.columns
    count = reader.doc_count_all()
    for name, values, codes in (
        ("source", columns.sources, columns.source_code),
        ("kind", columns.kinds, columns.kind_code),
    ):
        whoosh = list(reader.column_reader(name))
        assert [values[c] for c in codes.tolist()] == whoosh, name
    published = list(reader.column_reader("published", translate=False))
    dated = columns.dated.tolist()
    assert [p for p, d in zip(published, dated, strict=True) if d] == columns.published[
        columns.dated
    ].tolist()
    stored = [reader.stored_fields(d).get("published") for d in range(count)]
    assert dated == [s is not None for s in stored]
    topic_list = list(reader.column_reader("topic_list"))
    by_doc: dict[int, set[str]] = {}
    for doc, code in zip(columns._topic_docs.tolist(), columns._topic_codes.tolist(), strict=True):
        by_doc.setdefault(doc, set()).add(columns.topics[code])
    for doc in gen.matcher.live_ids.tolist():
        raw = topic_list[doc].decode("utf-8")
        assert by_doc.get(doc, set()) == set(raw.split(TOPIC_SEPARATOR) if raw else ()), doc


def assert_column_arrays_like_whoosh(gen: Generation) -> None:
    for leaf, _ in gen.searcher.reader().leaf_readers():
        count = leaf.doc_count_all()
        for name in ("source", "kind"):
            column = leaf.column_reader(name, translate=False)
            values, codes = column_arrays.refs(column, count)
            assert [values[c] for c in codes.tolist()] == [v.decode() for v in column], name
        column = leaf.column_reader("published", translate=False)
        assert column_arrays.numeric(column, count).tolist() == list(column)


def assert_positions_like_whoosh(gen: Generation, words: list[str]) -> None:
    reader = gen.searcher.reader()
    for fieldname, word in ((f, normalise(w)) for f in ("title", "body") for w in words):
        expected = []
        for leaf, offset in reader.leaf_readers():
            if (fieldname, word) not in leaf:
                continue
            m = leaf.postings(fieldname, word)  # Whoosh's own, deleted documents filtered
            for docnum, positions in m.items_as("positions"):
                expected.extend(((docnum + offset) << 32) + p for p in positions)
        docs, _ = gen.matcher.term(fieldname, word)
        keys = gen.matcher._position_keys(fieldname, word, docs)
        assert keys.tolist() == sorted(expected), (fieldname, word)


def test_small_columns_equal_whooshs_column_readers(small: Generation) -> None:
    assert_columns_like_whoosh(small)
    assert_column_arrays_like_whoosh(small)


def test_small_positions_equal_whooshs(small: Generation) -> None:
    assert_positions_like_whoosh(small, ["ferry", "strike", "harbour", "vote"])


@pytest.mark.corpus
@pytest.mark.slow
def test_reuters_columns_equal_whooshs_column_readers(reuters: Generation) -> None:
    assert_columns_like_whoosh(reuters)
    assert_column_arrays_like_whoosh(reuters)


@pytest.mark.corpus
@pytest.mark.slow
def test_reuters_positions_equal_whooshs(reuters: Generation) -> None:
    assert_positions_like_whoosh(reuters, ["oil", "prices", "coffee", "opec"])


def test_keys_decode_a_block_like_whoosh(small: Generation) -> None:
    """``position_keys`` on the raw values of one segment (deleted documents too, and only the
    postings asked for) equals Whoosh's ``value_as``."""
    from search.indexing.whoosh_private.postings import position_keys, read_postings, term_info

    leaf, _ = list(small.searcher.reader().leaf_readers())[0]
    ferry = normalise("ferry").encode()
    terminfo = term_info(leaf, "body", ferry)
    every, _, _ = read_postings(leaf, terminfo, "body", ferry, None)
    some = every[::2]
    ids, _, values = read_postings(leaf, terminfo, "body", ferry, some)
    expected = []
    m = leaf.codec().postings_reader(
        leaf._terms._postfile, terminfo, leaf.schema["body"].format, term=("body", ferry)
    )
    while m.is_active():
        if m.id() in set(some.tolist()):
            expected.extend((m.id() << 32) + p for p in m.value_as("positions"))
        m.next()
    assert len(some) > 3 and ids.tolist() == some.tolist() and len(values) == len(some)
    assert position_keys(ids, values).tolist() == expected
