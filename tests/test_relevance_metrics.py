"""``bench/relevance.py``: its nDCG and AP on hand-computed rankings, and its collection parsers
on the traps of ``../shared/corpus/ircoll/PROVENANCE.md`` (CRAN's query numbering and grades,
NPL's last record without its ``/``)."""

from __future__ import annotations

import math

import pytest

from tests.bench_modules import load


@pytest.fixture(scope="module")
def rel():
    return load("relevance")


# Ranked a, b, c, d; judged a (gain 3), c (gain 1), e (gain 2, never retrieved), b (-1 -> 0).
RANKING = ["a", "b", "c", "d"]
GAINS = {"a": 3.0, "b": 0.0, "c": 1.0, "e": 2.0}


def test_ndcg_by_hand(rel):
    # DCG = 3/log2(2) + 1/log2(4) = 3.5; ideal order a, e, c: 3 + 2/log2(3) + 1/log2(4).
    ideal = 3 + 2 / math.log2(3) + 0.5
    assert rel.ndcg(RANKING, GAINS) == pytest.approx(3.5 / ideal)
    assert rel.ndcg(RANKING, GAINS) == pytest.approx(0.735007, abs=1e-6)
    # At k=1 only a counts, and the ideal first document is a too.
    assert rel.ndcg(RANKING, GAINS, k=1) == pytest.approx(1.0)
    # At k=2: DCG 3, ideal 3 + 2/log2(3).
    assert rel.ndcg(RANKING, GAINS, k=2) == pytest.approx(3 / (3 + 2 / math.log2(3)))


def test_ndcg_edges(rel):
    assert rel.ndcg([], GAINS) == 0.0
    assert rel.ndcg(RANKING, {}) == 0.0
    assert rel.ndcg(["a", "e", "c"], GAINS) == pytest.approx(1.0)
    # A negative judgment is worth nothing, not less than nothing.
    assert rel.ndcg(["x", "a"], {"x": -1.0, "a": 1.0}) == pytest.approx(1 / math.log2(3))


def test_average_precision_by_hand(rel):
    # Relevant a, c, e (3 of them): a at rank 1 (precision 1), c at rank 3 (precision 2/3);
    # e is never retrieved but still counts in the denominator.
    assert rel.average_precision(RANKING, GAINS) == pytest.approx((1 + 2 / 3) / 3)
    # Cut at 2: only a is found.
    assert rel.average_precision(RANKING, GAINS, k=2) == pytest.approx(1 / 3)
    assert rel.average_precision([], GAINS) == 0.0
    assert rel.average_precision(RANKING, {"b": 0.0}) == 0.0


def test_cran_queries_numbered_in_file_order_and_grades_inverted(rel, tmp_path):
    (tmp_path / "cran.all.1400").write_text(
        ".I 1\n.T\nwing flutter .\n.A\nsmith,j.\n.B\nj. ae. 1958.\n.W\nwing flutter .\n"
        "  flutter of swept wings .\n.I 2\n.T\n.A\n.B\n.W\n"
    )
    (tmp_path / "cran.qry").write_text(
        ".I 001\n.W\nwhat about flutter .\n.I 004\n.W\nswept\nwings .\n"
    )
    (tmp_path / "cranqrel").write_text("1 1 1 \n2 1 4 \n2 2 -1 \n")
    cran = rel.read_cran(tmp_path)
    assert cran.docs[0] == ("1", "wing flutter .", "wing flutter .\n  flutter of swept wings .")
    assert cran.docs[1] == ("2", "", "")
    # The second query in the file (.I 004) is judgment query 2.
    assert cran.queries == [("1", "what about flutter ."), ("2", "swept\nwings .")]
    assert cran.qrels == {"1": {"1": 4.0}, "2": {"1": 1.0, "2": 0.0}}


def test_npl_last_record_without_slash(rel):
    text = "1\n 12  30\n 7\n   /\n2\n 5\n"
    assert rel.slash_records(text) == [("1", "12  30\n 7"), ("2", "5")]


def test_queries_as_pasted_and_plain(rel):
    query = "papers on shock-sound\nwave interaction (MHD) ."
    assert rel.pasted(query) == "papers on shock-sound wave interaction (MHD) ."
    assert rel.plain(query) == "papers on shock sound wave interaction mhd"
    assert rel.plain("LOW OR VERY LOW AND HIGH") == "low or very low and high"
    assert rel.truncate("one two three", 9) == "one two"
    assert rel.truncate("one two", 9) == "one two"
