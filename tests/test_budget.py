"""No query text can make a search expensive: expansions are bounded, a deadline cuts the rest,
and dates at the ends of the calendar are dates, not errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from whoosh import query as wq

from search.models import SearchRequest
from search.searching.budget import Budget
from search.searching.engine import Engine
from search.searching.expansion import EXPANSION_BUDGET
from tests.test_engine import NOW, fictional_engine

ALPHABET_PREFIXES = " ".join(f"{letter}*" for letter in "abcdefghijklmnopqrstuvwxyz")
WORST_QUERIES = [
    "[TO z]",
    " ".join(["[TO z]"] * 6),
    "[a TO z] OR [0 TO 9]",
    ALPHABET_PREFIXES,
    f"({ALPHABET_PREFIXES}) AND NOT ({ALPHABET_PREFIXES})",
    "when:9999y",
    "after:9999-12-31",
    "date:[1000 to 9999]",
    " OR ".join(f'"{a}* {b}*"' for a, b in zip("abcdefghijklm", "nopqrstuvwxyz", strict=True)),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = fictional_engine(tmp_path_factory.mktemp("budget"))
    yield engine
    engine.close()


def _leaves(q: wq.Query | None) -> list[wq.Query]:
    return [] if q is None else list(q.leaves())


def test_term_ranges_are_not_part_of_the_language(engine: Engine) -> None:
    from search.searching.query import compile_query

    engine.search(SearchRequest(q="ferry"), now=NOW)
    compiled = compile_query("title:[a TO z] ferry", "all", engine._open.vocab, NOW)
    assert not any(isinstance(leaf, wq.TermRange) for leaf in _leaves(compiled.query))


def test_all_prefixes_of_a_query_share_one_budget_of_terms(engine: Engine) -> None:
    from search.searching.query import compile_query

    engine.search(SearchRequest(q="ferry"), now=NOW)
    gen = engine._open
    gen.term_table_ready.wait(5)
    many = " ".join(f"{a}{b}*" for a in "abcdefghij" for b in "aeiou")
    compiled = compile_query(many, "any", gen.vocab, NOW)
    terms = {str(leaf.text) for leaf in _leaves(compiled.query) if isinstance(leaf, wq.Term)}
    assert len(terms) <= EXPANSION_BUDGET
    assert compiled.notices, "a query whose prefixes were cut says so"


def test_a_prefix_finds_the_words_it_starts(engine: Engine) -> None:
    engine.search(SearchRequest(q="ferry"), now=NOW)
    engine._open.term_table_ready.wait(5)
    ids = {h.id for h in engine.search(SearchRequest(q="ferr*", per_page=50), now=NOW).hits}
    assert {"ferry-vote", "ferry-strike"} <= ids


def test_a_spent_budget_answers_with_what_it_has_and_says_so(engine: Engine) -> None:
    spent = Budget(seconds=0.0, wall_seconds=0.0)
    results = engine.search(SearchRequest(q="merrow spillway cracks"), now=NOW, budget=spent)
    assert spent.skipped == {"merrow", "spillway", "crack"}
    assert any("too costly" in notice for notice in results.query.notices)
    # Nothing was searched, so nothing was found; no error either.
    assert results.total == 0


def test_terms_read_before_the_deadline_still_count(engine: Engine) -> None:
    engine.search(SearchRequest(q="ferry"), now=NOW)  # "ferry" is now read and cached
    spent = Budget(seconds=0.0, wall_seconds=0.0)
    results = engine.search(SearchRequest(q="ferry zanzibar"), now=NOW, budget=spent)
    assert spent.skipped == {"zanzibar"}
    assert {h.id for h in results.hits} >= {"ferry-vote", "ferry-strike"}


@pytest.mark.parametrize("q", ["when:9999y", "when:9999m", "when:9999w"])
def test_a_span_longer_than_the_calendar_is_all_of_time(engine: Engine, q: str) -> None:
    everything = engine.search(SearchRequest(q=""), now=NOW).total
    results = engine.search(SearchRequest(q=q), now=NOW)
    assert results.total == everything - engine.search(SearchRequest(), now=NOW).histogram.undated


def test_the_calendars_last_day_is_a_date(engine: Engine) -> None:
    results = engine.search(SearchRequest(q="after:9999-12-31"), now=NOW)
    assert results.total == 0
    assert not results.query.notices
    everything = engine.search(SearchRequest(q="before:9999-12-31"), now=NOW)
    assert everything.total > 0 and not everything.query.notices


def test_to_the_calendars_last_day_is_accepted(engine: Engine) -> None:
    from datetime import date

    request = SearchRequest(date_from=date(1000, 1, 1), date_to=date(9999, 12, 31))
    assert engine.search(request, now=NOW).total > 0


# --- Reuters: the worst queries found by the probe, in the engine -----------------------------


@pytest.fixture(scope="module")
def reuters(reuters_index: Path) -> Engine:
    engine = Engine(reuters_index)
    engine.search(SearchRequest(q="oil"))
    engine._open.term_table_ready.wait(30)
    yield engine
    engine.close()


@pytest.mark.corpus
@pytest.mark.parametrize("match", ["all", "any"])
@pytest.mark.parametrize("q", WORST_QUERIES)
def test_the_worst_queries_answer_in_well_under_a_second(reuters: Engine, q: str, match: str):
    started = time.monotonic()
    results = reuters.search(SearchRequest(q=q, match=match))
    assert time.monotonic() - started < 1.0, results.query.notices
    assert results.total >= 0


@pytest.mark.corpus
def test_a_story_page_with_many_prefixes_answers_quickly(reuters: Engine) -> None:
    story_id = reuters.search(SearchRequest(q="oil")).hits[0].id
    started = time.monotonic()
    reuters.story(story_id, q=ALPHABET_PREFIXES)
    assert time.monotonic() - started < 1.0


def test_prefixes_work_before_the_term_table_is_read(tmp_path: Path, monkeypatch) -> None:
    from search.searching import generation as generation_module

    monkeypatch.setattr(generation_module, "_warm_up", lambda gen: None)  # never ready
    monkeypatch.setattr(generation_module, "PREFIX_WAIT", 0.0)
    cold = fictional_engine(tmp_path)
    ids = {h.id for h in cold.search(SearchRequest(q="ferr*", per_page=50), now=NOW).hits}
    assert {"ferry-vote", "ferry-strike"} <= ids
    cold.close()
