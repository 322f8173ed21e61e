"""The index analysis keeps what news needs: compounds, numbers, normalised words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.indexing.analysis import TOKEN, as_terms, clean, terms, token_terms

CASES = [
    ("semi-annual", ["semi", "annual"]),
    ("U.S.-Japan", ["us", "japan"]),
    ("year-on-year", ["year", "on", "year"]),
    ("covid-19", ["covid", "19"]),
    ("G-7 and G7", ["g", "7", "g7"]),
    ("AT&T", ["at", "t"]),
    ("S&P 500", ["s", "p", "500"]),
    ("R&D", ["r", "d"]),
    ("2-for-1 M-3", ["2", "for", "1", "m", "3"]),
    ("O'Brien and O\u2019Brien", ["o", "brien", "o", "brien"]),
    ("the Senate's vote", ["senat", "vote"]),
    ("$5 billion", ["5", "billion"]),
    ("1,500 and 2,500.75", ["1500", "2500.75"]),
    ("a b c", []),
    ("C++", []),
    ("\ufb01nance", ["financ"]),
    ("\u0130stanbul", ["istanbul"]),
    ("fer\u200bry", ["ferri"]),
    ("Z\u00fcrich S\u00e3o", ["zurich", "sao"]),
    ("\uff21\uff34\uff06\uff34", ["at", "t"]),
    ("UPDATE 1-Oil prices", ["updat", "1", "oil", "price"]),
    ("topic money-fx", ["topic", "money", "fx"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_terms(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


@given(st.text(alphabet="aBx1_9 -&/'\u2019.,;\u00e9I\u0130", max_size=40))
def test_the_fast_path_finds_the_tokens_the_highlighter_finds(text: str) -> None:
    """``terms`` scans for runs of tokens (a cheaper pattern) and splits them: the terms are
    those of ``TOKEN``'s tokens, as the highlighter and the query reader see them."""
    tokens = TOKEN.findall(clean(text))
    assert terms(text) == [t for token in tokens for t in as_terms(token_terms(token))]
