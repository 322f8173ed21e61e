"""The query reader's rules, case by case: what people type and how it is read."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.searching.clauses import All, AnyOf, Dates, Not, Text, Value, describe
from search.searching.reader import read

NOW = datetime(2025, 6, 1, 12, 0)

CASES = [
    # (typed, match, read as, a notice mentions)
    ("semi-final", "all", "semi-final", None),
    ("U.S.-Japan trade", "all", "U.S.-Japan AND trade", None),
    ("(-strike) ferry", "all", "NOT strike AND ferry", None),
    ("coffee | cocoa", "all", "coffee OR cocoa", None),
    ("coffee || cocoa", "all", "coffee OR cocoa", None),
    ("coffee && cocoa", "any", "coffee AND cocoa", None),
    ("a b AND c", "any", "a OR (b AND c)", None),
    ("a AND b OR c AND d", "all", "(a AND b) OR (c AND d)", None),
    ("Brazil: coffee exports", "all", "Brazil AND coffee AND exports", None),
    ("author:smith", "all", "author AND smith", None),
    ("TITLE: coffee", "all", "title:coffee", None),
    ("Title:coffee", "all", "title:coffee", None),
    ("topic:money-fx", "all", "topic:money-fx", None),
    ("id:reuters-4739", "all", "id:reuters-4739", None),
    ('source:"Japan Times" oil', "all", 'source:"Japan Times" AND oil', None),
    ("source:(reuters OR ap)", "all", "source:reuters OR source:ap", None),
    ("NOT date:1987-03", "all", "NOT date:1987-03", None),
    ("after:2024/05/01 -before:2024-06", "all", "after:2024/05/01 AND NOT before:2024-06", None),
    ("date:foo bar", "all", "bar", "not a date"),
    ("el*", "all", "el*", None),
    ("e*", "all", "", "two letters"),
    ("*lection", "all", "", "end of a word"),
    ("ferry~2 boat^3", "all", "ferry AND boat", "not supported"),
    ("[a TO z] x", "all", "x", "Ranges"),
    ("\u201cferry terminal\u201d", "all", '"ferry terminal"', None),
    ("\u00abferry terminal\u00bb", "all", '"ferry terminal"', None),
    ("ferry or dam", "all", "ferry AND or AND dam", "capitals"),
    ("- + !", "all", "", None),
    ("((ferry)", "all", "ferry", "parenthesis"),
    ('"unclosed', "all", "unclosed", "quote"),
    ("title:(harbour ferry) strike", "all", "title:harbour AND title:ferry AND strike", None),
    ("oil -(crude OR brent)", "all", "oil AND NOT (crude OR brent)", None),
    ("+ferry boat", "any", "+ferry OR boat", None),
    ("ﬁnance", "all", "finance", None),
    ("fer\u200bry", "all", "ferry", None),
]


@pytest.mark.parametrize(("typed", "match", "expected", "notice"), CASES)
def test_the_reader_reads_queries_by_its_rules(typed, match, expected, notice) -> None:
    result = read(typed, NOW, match)
    assert describe(result.tree) == expected
    if notice is None:
        assert not result.notices, result.notices
    else:
        assert any(notice in n for n in result.notices), result.notices


@pytest.mark.parametrize(
    ("typed", "start", "end"),
    [
        ("date:2024", datetime(2024, 1, 1), datetime(2025, 1, 1)),
        ("date:2024-02", datetime(2024, 2, 1), datetime(2024, 3, 1)),
        ("date:2024/02/29", datetime(2024, 2, 29), datetime(2024, 3, 1)),
        ("after:2024-05-01", datetime(2024, 5, 1), None),
        ("before:2024-05-01", None, datetime(2024, 5, 1)),
        ("date:2024..2025-06", datetime(2024, 1, 1), datetime(2025, 7, 1)),
        ("date:>=2024-05", datetime(2024, 5, 1), None),
        ("date:>2024-05", datetime(2024, 6, 1), None),
        ("date:<2024-05", None, datetime(2024, 5, 1)),
        ("date:<=2024-05", None, datetime(2024, 6, 1)),
        ("when:7d", datetime(2025, 5, 25, 12, 0), None),
        ("when:9999y", datetime.min, None),
        ("after:9999-12-31", datetime(9999, 12, 31), None),
        ("date:2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10), None),
    ],
)
def test_dates_in_every_form(typed: str, start, end) -> None:
    tree = read(typed, NOW).tree
    assert isinstance(tree, Dates)
    assert tree.start == start
    if end is not None or "T" not in typed:
        assert tree.end == end


def test_a_field_value_is_taken_whole() -> None:
    assert read("topic:money-fx", NOW).tree == Value("topics", "money-fx")
    assert read('source:"Japan Times"', NOW).tree == Value("source", "Japan Times")


def test_a_token_is_one_clause_whatever_it_holds() -> None:
    assert read("G-7", NOW).tree == Text("G-7")
    assert read("AT&T", NOW).tree == Text("AT&T")
    tree = read("S&P 500", NOW).tree
    assert tree == All((Text("S&P"), Text("500")))


def test_negation_and_grouping_nest() -> None:
    tree = read("(ferry OR boat) -strike", NOW).tree
    assert tree == All((AnyOf((Text("ferry"), Text("boat"))), Not(Text("strike"))))


@given(st.text(max_size=200))
def test_any_text_is_read_and_echoed_without_control_characters(text: str) -> None:
    result = read(text, NOW)
    for said in (describe(result.tree), *result.notices):
        assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in said), said
