"""The search engine on a small fictional corpus whose every expected hit is known by id."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.errors import IndexMissing, StoryNotFound
from search.indexing import indexer
from search.ingest.topics import Taxonomy
from search.interface.marks import to_html
from search.models import SearchRequest
from search.searching.engine import Engine
from tests.conftest import SHARED

NOW = datetime(2025, 5, 26, 12, 0)
LONG_FILLER = " ".join(f"Paragraph {i} recalls quiet seasons on the water." for i in range(3000))

STORIES = [
    {
        "id": "ferry-vote",
        "title": "Harbour board approves new ferry terminal",
        "source": "Coastline Courier",
        "published": "2025-05-23T09:30:00",
        "body": "The harbour board voted on Thursday to build a ferry terminal at the north "
        "quay. Construction is due to start in the autumn.",
        "captions": [{"text": "Board chair Ines Farrow after the vote.", "credit": "COURIER"}],
        "topics": ["transport"],
    },
    {
        "id": "ferry-strike",
        "title": "Ferry crews strike over pay",
        "source": "Valley Gazette",
        "published": "2025-05-20",
        "body": "Island crossings were halted as ferry crews walked out. The union said talks "
        "on pay had failed.",
        "topics": ["labour", "transport"],
    },
    {
        "id": "dam-cracks",
        "title": "Inspectors find cracks in the Merrow dam",
        "source": "Valley Gazette",
        "published": "2025-04-02",
        "body": "Engineers found cracks in the spillway. The dam is safe, officials said, but "
        "repairs will cost millions.",
        "topics": ["environment"],
    },
    {
        "id": "election-delay",
        "title": "Northgate count delayed",
        "source": "Northgate Herald",
        "published": "2025-05-22",
        "body": "Elections officials delayed the count. Candidates who were elected last time "
        "demanded answers. Voters queued for hours.",
        "topics": ["politics"],
    },
    {
        "id": "budget-ferry",
        "title": "Council budget cuts subsidy",
        "source": "Northgate Herald",
        "published": "2025-03-15",
        "body": "The council budget cuts the ferry subsidy by a third. Harbour traders warned of "
        "fewer crossings.",
        "topics": ["politics", "transport"],
    },
    {
        "id": "orchard",
        "title": "Cherry harvest comes early",
        "source": "Valley Gazette",
        "published": "2024-06-01",
        "body": "Orchard growers expect an early cherry harvest after a warm spring.",
        "topics": ["agriculture"],
    },
    {
        "id": "xss",
        "title": "<script>alert(1)</script> budget leak at harbour office",
        "source": "Coastline Courier",
        "published": "2025-05-01",
        "body": "A memo with <img src=x onerror=alert(2)> markup leaked. The budget memo named "
        "the harbour office.",
        "topics": ["politics"],
    },
    {
        "id": "no-date",
        "title": "Undated note about the ferry timetable",
        "source": "Coastline Courier",
        "body": "The ferry timetable changes next week.",
    },
    {
        "id": "dam-teaser",
        "kind": "teaser",
        "title": "Dam repairs to start in June",
        "source": "Valley Gazette",
        "published": "2025-05-25",
        "body": "Repairs on the Merrow dam spillway start in June.",
    },
    {
        "id": "deep",
        "title": "A long history of the quay",
        "source": "Harbour Monthly",
        "published": "2023-01-10",
        "body": LONG_FILLER + "\nAt the very end, a zeppelin landed beside the quay.",
    },
    {
        "id": "zurich",
        "title": "Zürich bankers meet in São Paulo",
        "source": "Coastline Courier",
        "published": "2025-02-02",
        "body": "Bankers from Zürich met counterparts in São Paulo to talk about rates.",
    },
]
ALL_IDS = {s["id"] for s in STORIES}
FERRY_IDS = {"ferry-vote", "ferry-strike", "budget-ferry", "no-date"}


def title_html(hit) -> str:
    return to_html(hit.marked_title)


def snippets_html(hit) -> list[str]:
    return [to_html(s) for s in hit.snippets]


def body_html(story) -> tuple[str, ...]:
    return tuple(to_html(p) for p in story.marked_body)


def captions_html(story) -> tuple[str, ...]:
    return tuple(to_html(c) for c in story.marked_captions)


def write_corpus(folder: Path, stories: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "stories.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in stories) + "\n", encoding="utf-8")
    return folder


def build(corpus: Path, index: Path) -> None:
    report = indexer.build([corpus], index, taxonomy=Taxonomy.default(), progress=False)
    assert report.published, report


def fictional_engine(root: Path) -> Engine:
    """An engine over ``STORIES``, built under ``root``."""
    build(write_corpus(root / "corpus", STORIES), root / "index")
    return Engine(root / "index")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = fictional_engine(tmp_path_factory.mktemp("engine"))
    yield engine
    engine.close()


def search(engine: Engine, q: str = "", **kw) -> list[str]:
    kw.setdefault("per_page", 100)
    return [h.id for h in engine.search(SearchRequest(q=q, **kw), now=NOW).hits]


# --- the query language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ferry", FERRY_IDS),
        ("ferry strike", {"ferry-strike"}),
        ("FERRY Strike", {"ferry-strike"}),
        ('"ferry terminal"', {"ferry-vote"}),
        ('"terminal ferry"', set()),
        ("ferry -strike", FERRY_IDS - {"ferry-strike"}),
        ("ferry NOT strike", FERRY_IDS - {"ferry-strike"}),
        ("-ferry", ALL_IDS - FERRY_IDS),
        ("cracks OR subsidy", {"dam-cracks", "budget-ferry"}),
        ("(cracks OR subsidy) AND ferry", {"budget-ferry"}),
        ("intitle:harbour", {"ferry-vote", "xss"}),
        ("title:harbour", {"ferry-vote", "xss"}),
        ("harbour", {"ferry-vote", "xss", "budget-ferry"}),
        ("source:valley", {"ferry-strike", "dam-cracks", "orchard", "dam-teaser"}),
        ('source:"northgate herald" ferry', {"budget-ferry"}),
        ("source:nowhere ferry", set()),
        ("topic:labour", {"ferry-strike"}),
        ("caption:farrow", {"ferry-vote"}),
        ("elect*", {"election-delay"}),
        ("elections", {"election-delay"}),
        ("zurich sao paulo", {"zurich"}),
        ("zeppelin", {"deep"}),
        ("the of", set()),  # characters with nothing searchable find nothing
        ("U.S. bankers", set()),
    ],
)
def test_query_language_finds_exactly(engine: Engine, q: str, expected: set[str]) -> None:
    assert set(search(engine, q)) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ferry after:2025-05-20", {"ferry-vote", "ferry-strike"}),
        ("ferry before:2025-05-20", {"budget-ferry"}),
        ("date:2025-05", {"ferry-vote", "ferry-strike", "election-delay", "xss", "dam-teaser"}),
        ("date:[2025-05-01 to 2025-05-20]", {"ferry-strike", "xss"}),
        ("date:[2025-05-21 to *] ferry", {"ferry-vote"}),
        ("when:7d", {"ferry-vote", "ferry-strike", "election-delay", "dam-teaser"}),
        ("when:2d", {"dam-teaser"}),
    ],
)
def test_dates_in_the_query(engine: Engine, q: str, expected: set[str]) -> None:
    assert set(search(engine, q)) == expected


def test_relative_dates_are_taken_at_each_request(engine: Engine) -> None:
    later = datetime(2025, 6, 30)
    found = engine.search(SearchRequest(q="when:7d"), now=later)
    assert found.total == 0
    assert engine.search(SearchRequest(q="when:7d"), now=NOW).total == 4


@pytest.mark.parametrize(
    "q",
    [
        "(ferry OR",
        '"ferry',
        "AND",
        "title:",
        ":::",
        "***",
        "ferry)",
        "NOT NOT",
        "[a to",
        "date:[2025-13-45 to x] ferry",
        "after:2025-02-30 ferry",
        "source:",
        "^^^ ferry ~~",
        "\x00",
    ],
)
def test_malformed_queries_still_search(engine: Engine, q: str) -> None:
    results = engine.search(SearchRequest(q=q, per_page=100), now=NOW)
    if "ferry" in q:
        assert {h.id for h in results.hits} == FERRY_IDS


def test_a_query_that_does_not_parse_searches_its_words_and_says_so(engine: Engine) -> None:
    results = engine.search(SearchRequest(q="after:2025-02-30 ferry"), now=NOW)
    assert {h.id for h in results.hits} == FERRY_IDS
    assert any("not a date" in n for n in results.query.notices)


def test_the_parsed_query_is_echoed(engine: Engine) -> None:
    results = engine.search(SearchRequest(q='Elections "ferry terminal" -strike'), now=NOW)
    assert results.query.interpreted == 'Elections AND "ferry terminal" AND NOT strike'
    dated = engine.search(SearchRequest(q="source:valley elect* after:2025-01-01"), now=NOW)
    assert dated.query.interpreted == 'source:"Valley Gazette" AND elect* AND after:2025-01-01'
    assert [(f.facet, f.values, f.without) for f in dated.query.filters] == [
        ("source", ("Valley Gazette",), "elect* after:2025-01-01"),
        ("date", (), "source:valley elect*"),
    ]
    assert dated.query.unfiltered == "elect*"
    assert results.query.filters == () and results.query.unfiltered is None


def test_match_any_ranks_by_how_many_words_match(engine: Engine) -> None:
    ids = search(engine, "ferry subsidy cracks", match="any")
    assert set(ids) == FERRY_IDS | {"dam-cracks"}
    assert ids[0] == "budget-ferry"  # the only story with two of the words


def test_title_outranks_body(engine: Engine) -> None:
    ids = search(engine, "strike")
    assert ids == ["ferry-strike"]
    ids = search(engine, "ferry")
    assert ids.index("ferry-strike") < ids.index("budget-ferry")


def test_an_empty_query_browses_newest_first_with_undated_last(engine: Engine) -> None:
    ids = search(engine)
    assert ids[0] == "dam-teaser" and ids[-1] == "no-date"
    assert len(ids) == len(ALL_IDS)
    assert search(engine, sort="oldest")[0] == "deep"


def test_sorting_by_date(engine: Engine) -> None:
    assert search(engine, "ferry", sort="newest") == [
        "ferry-vote",
        "ferry-strike",
        "budget-ferry",
        "no-date",
    ]
    assert search(engine, "ferry", sort="oldest") == [
        "budget-ferry",
        "ferry-strike",
        "ferry-vote",
        "no-date",
    ]


def test_paging_covers_every_hit_once(engine: Engine) -> None:
    pages = [search(engine, per_page=3, page=n) for n in range(1, 6)]
    flat = [i for p in pages for i in p]
    assert len(flat) == len(set(flat)) == len(ALL_IDS)
    assert engine.search(SearchRequest(per_page=3)).pages == 4
    assert search(engine, page=99) == []


# --- facets and the histogram ---------------------------------------------------------------


def stored_topics(engine: Engine) -> dict[str, tuple[str, ...]]:
    return {i: engine.story(i).topics for i in ALL_IDS}


def test_two_sources_show_stories_from_either_and_keep_honest_counts(engine: Engine) -> None:
    sources = ("Valley Gazette", "Northgate Herald")
    results = engine.search(SearchRequest(sources=sources, per_page=100), now=NOW)
    by_source = {s["id"]: s["source"] for s in STORIES}
    assert {h.id for h in results.hits} == {i for i, s in by_source.items() if s in sources}
    # The source facet ignores its own filter: every source keeps its full count.
    expected = Counter(by_source.values())
    counts = {f.value: (f.count, f.selected) for f in results.facets["source"]}
    assert counts == {s: (n, s in sources) for s, n in expected.items()}
    # Other facets count only the stories of the ticked sources.
    topics = stored_topics(engine)
    expected_topics = Counter(t for i in (h.id for h in results.hits) for t in topics[i])
    assert {f.value: f.count for f in results.facets["topic"]} == dict(expected_topics)
    kinds = {f.value: f.count for f in results.facets["kind"]}
    assert kinds == {"article": 5, "teaser": 1}


def test_facet_counts_match_brute_force_under_query_and_filters(engine: Engine) -> None:
    topics = stored_topics(engine)
    request = SearchRequest(q="ferry OR dam", topics=("transport",), kinds=("article",))
    results = engine.search(request, now=NOW)
    matched = set(search(engine, "ferry OR dam"))
    by_id = {s["id"]: s for s in STORIES}

    def kind(i: str) -> str:
        return by_id[i].get("kind", "article")

    expected_sources = Counter(
        by_id[i]["source"] for i in matched if "transport" in topics[i] and kind(i) == "article"
    )
    expected_topics = Counter(t for i in matched if kind(i) == "article" for t in topics[i])
    expected_kinds = Counter(kind(i) for i in matched if "transport" in topics[i])
    assert {f.value: f.count for f in results.facets["source"]} == dict(expected_sources)
    assert {f.value: f.count for f in results.facets["topic"]} == dict(expected_topics)
    assert {f.value: f.count for f in results.facets["kind"]} == dict(expected_kinds)
    assert results.total == sum(expected_sources.values())


def test_selected_values_stay_listed_at_zero(engine: Engine) -> None:
    results = engine.search(SearchRequest(q="cherry", sources=("Harbour Monthly",)), now=NOW)
    assert results.total == 0
    listed = {f.value: (f.count, f.selected) for f in results.facets["source"]}
    assert listed["Harbour Monthly"] == (0, True)
    assert listed["Valley Gazette"] == (1, False)


def test_request_dates_filter_inclusively(engine: Engine) -> None:
    ids = search(engine, date_from=date(2025, 5, 20), date_to=date(2025, 5, 22))
    assert set(ids) == {"ferry-strike", "election-delay"}


def test_histogram_buckets_sum_to_the_total(engine: Engine) -> None:
    for request in (SearchRequest(), SearchRequest(q="ferry"), SearchRequest(q="date:2025-05")):
        results = engine.search(request, now=NOW)
        histogram = results.histogram
        assert sum(b.count for b in histogram.buckets) + histogram.undated == results.total
        assert all(b.start < b.end for b in histogram.buckets)
    assert engine.search(SearchRequest(), now=NOW).histogram.undated == 1
    may = engine.search(SearchRequest(q="date:2025-05"), now=NOW).histogram
    assert may.interval == "day"
    assert engine.search(SearchRequest(), now=NOW).histogram.interval == "month"


# --- hits and snippets ----------------------------------------------------------------------


def test_snippets_mark_the_matches_and_say_where_they_matched(engine: Engine) -> None:
    hit = engine.search(SearchRequest(q="terminal"), now=NOW).hits[0]
    assert hit.id == "ferry-vote"
    assert "<mark>terminal</mark>" in snippets_html(hit)[0]
    assert "<mark>terminal</mark>" in title_html(hit)
    assert hit.matched_in == ("headline", "body")
    caption_hit = engine.search(SearchRequest(q="farrow"), now=NOW).hits[0]
    assert caption_hit.matched_in == ("caption",)
    assert "<mark>Farrow</mark>" in snippets_html(caption_hit)[0]


def test_a_match_deep_in_a_long_story_is_shown(engine: Engine) -> None:
    hit = engine.search(SearchRequest(q="zeppelin"), now=NOW).hits[0]
    assert len(hit.snippets) >= 1 and "<mark>zeppelin</mark>" in snippets_html(hit)[0]


def test_without_a_body_match_the_lead_is_shown(engine: Engine) -> None:
    hit = engine.search(SearchRequest(q="source:harbour"), now=NOW).hits[0]
    assert hit.id == "deep"
    assert (
        snippets_html(hit)[0].startswith("Paragraph 0 recalls")
        and "<mark>" not in snippets_html(hit)[0]
    )


def test_story_markup_never_reaches_snippets_unescaped(engine: Engine) -> None:
    for q in ("budget memo", "script alert", "onerror", ""):
        for hit in engine.search(SearchRequest(q=q, per_page=100), now=NOW).hits:
            for html in (title_html(hit), *snippets_html(hit)):
                assert not re.search(r"<(?!/?mark>)", html), html
    hit = engine.search(SearchRequest(q="memo"), now=NOW).hits[0]
    assert "&lt;img src=x onerror=alert(2)&gt;" in snippets_html(hit)[0]
    assert title_html(hit).startswith("&lt;script&gt;")


def test_did_you_mean_only_when_the_correction_finds_something(engine: Engine) -> None:
    assert engine.search(SearchRequest(q="feryy"), now=NOW).suggestion == "ferry"
    assert engine.search(SearchRequest(q="harbuor termnal"), now=NOW).suggestion == (
        "harbour terminal"
    )
    assert engine.search(SearchRequest(q="ferry"), now=NOW).suggestion is None
    # "ferry" exists, but not among the Harbour Monthly stories: no suggestion there.
    filtered = SearchRequest(q="feryy", sources=("Harbour Monthly",))
    assert engine.search(filtered, now=NOW).suggestion is None


def test_zero_hits_with_all_words_reports_any_word_hits(engine: Engine) -> None:
    results = engine.search(SearchRequest(q="ferry zeppelin"), now=NOW)
    assert results.total == 0
    assert results.any_total == len(FERRY_IDS) + 1


# --- one story --------------------------------------------------------------------------------


def test_story_by_id_with_marks_and_similar_stories(engine: Engine) -> None:
    story = engine.story("ferry-strike", q="crews pay")
    assert story.title == "Ferry crews strike over pay"
    assert "<mark>crews</mark>" in body_html(story)[0]
    assert story.topics[:2] == ("labour", "transport")
    assert "ferry-strike" not in {s.id for s in story.similar}
    assert story.similar and story.similar[0].id in FERRY_IDS
    assert engine.story("ferry-vote").captions[0].text == "Board chair Ines Farrow after the vote."


def test_an_unknown_story_id_is_not_found(engine: Engine) -> None:
    with pytest.raises(StoryNotFound):
        engine.story("no-such-story")


# --- the live generation ----------------------------------------------------------------------


def test_a_new_build_is_picked_up_without_a_restart(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", STORIES[:2])
    build(corpus, tmp_path / "index")
    engine = Engine(tmp_path / "index")
    first = engine.generation
    assert engine.search(SearchRequest()).total == 2
    write_corpus(tmp_path / "corpus", STORIES[:5])
    build(corpus, tmp_path / "index")
    results = engine.search(SearchRequest())
    assert results.total == 5 and results.generation != first
    engine.close()


def test_no_index_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="newsdex build"):
        Engine(tmp_path / "nothing").search(SearchRequest())


def test_folded_teasers_never_show_twice(built_index: Path) -> None:
    engine = Engine(built_index)
    hits = engine.search(SearchRequest(q="ferry", per_page=100)).hits
    assert len(hits) == len({h.id for h in hits}) == len({h.title for h in hits})
    ferry = [h for h in hits if h.title == "Ferry fares frozen for winter"]
    assert len(ferry) == 1 and ferry[0].kind == "article" and len(ferry[0].pages) == 3
    engine.close()


FOUNDING = SHARED / "corpus" / "daily8"


@pytest.mark.corpus
def test_the_founding_article_is_first_for_paraguay_taiwan(tmp_path: Path) -> None:
    if not FOUNDING.is_dir():
        pytest.skip(f"shared corpus not found: {FOUNDING} (expected ../shared beside the repo)")
    report = indexer.build(
        [FOUNDING], tmp_path / "index", taxonomy=Taxonomy.default(), progress=False
    )
    assert report.published
    engine = Engine(tmp_path / "index")
    hit = engine.search(SearchRequest(q="paraguay taiwan")).hits[0]
    assert hit.kind == "article" and hit.source == "Japan Times"
    assert "<mark>" in snippets_html(hit)[0]
    engine.close()


SYNTAX = st.sampled_from(
    [
        '"',
        "(",
        ")",
        "-",
        "*",
        ":",
        "AND",
        "OR",
        "NOT",
        "title:",
        "source:",
        "topic:",
        "[",
        "]",
        " to ",
        "after:",
        "before:",
        "when:",
        "date:",
        "^",
        "~",
        "\\",
        "'",
        "2025-05-01",
    ]
)
WORDS = st.sampled_from(["ferry", "dam", "harbour", "zürich", "U.S.", "the", "elect", "x"])


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.one_of(SYNTAX, WORDS, st.text(max_size=12)), max_size=12).map(" ".join),
    st.sampled_from(["all", "any"]),
    st.sampled_from(["relevance", "newest", "oldest"]),
)
def test_no_query_text_breaks_the_engine(engine: Engine, q: str, match: str, sort: str) -> None:
    results = engine.search(SearchRequest(q=q, match=match, sort=sort, per_page=5), now=NOW)
    assert 0 <= results.total <= len(ALL_IDS)
    histogram = results.histogram
    assert sum(b.count for b in histogram.buckets) + histogram.undated == results.total
    assert len(results.hits) == min(5, results.total)
    for hit in results.hits:
        for html in (title_html(hit), *snippets_html(hit)):
            assert not re.search(r"<(?!/?mark>)", html)
    # Nothing said about the query carries a control character into HTML or JSON.
    for said in (results.query.interpreted, *results.query.notices):
        assert not re.search(r"[\x00-\x1f\x7f-\x9f]", said), said
    if q.strip() and not results.query.interpreted:
        assert results.total == 0  # characters with nothing searchable never list everything


def test_a_teaser_only_story_shows_its_teaser_marked(engine: Engine) -> None:
    story = engine.story("dam-teaser", q="spillway")
    assert story.body == "" and story.kind == "teaser"
    assert body_html(story) == ("Repairs on the Merrow dam <mark>spillway</mark> start in June.",)


def test_captions_are_marked_on_the_story_page(engine: Engine) -> None:
    story = engine.story("ferry-vote", q="farrow")
    assert captions_html(story) == ("Board chair Ines <mark>Farrow</mark> after the vote.",)
    assert story.captions[0].credit == "COURIER"


def test_more_like_this_leaves_out_the_related_stories(built_index: Path) -> None:
    engine = Engine(built_index)
    mayor = engine.search(SearchRequest(q="mayor resigns")).hits[0]
    story = engine.story(mayor.id)
    related = {r.id for r in story.related}
    assert len(related) == 2
    assert related.isdisjoint(s.id for s in story.similar)
    assert mayor.id not in {s.id for s in story.similar}
    engine.close()
