"""Golden queries on Reuters-21578: what a reader expects on the first page.

Reuters labels every story with its topics (``coffee``, ``crude``, ``money-fx``, ...); a good
first page for "coffee quota" is one whose stories are about coffee. Each query names the
label a reader would expect, how many of the first ten hits must carry it, and headlines
one of which belongs among the first three (a headline holding every word of the query; where
several such stories are equally good, each is listed). Rerun after any change to analysis,
schema or ranking.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from search.models import SearchRequest
from search.searching.engine import Engine
from tests.conftest import SHARED

REUTERS = SHARED / "corpus" / "reuters21578"

GOLDEN = [
    ("coffee quota", "coffee", 9, "COLOMBIA OPTIMISTIC ON COFFEE QUOTAS"),
    ("opec oil output", "crude", 8, "OPEC WITHIN OUTPUT CEILING, SUBROTO SAYS"),
    ("bank of japan intervention", "money-fx", 9, "BANK OF JAPAN INTERVENES IN TOKYO"),
    ("gold mine", "gold", 8, "WESTERN MINING TO OPEN NEW GOLD MINE IN AUSTRALIA"),
    (
        "soviet wheat",
        "wheat",
        9,
        (
            "U.S. WHEAT GROWERS WANT EEP TO SOVIET UNION",
            "NO PRESSING NEED FOR SOVIET WHEAT SUBSIDY - LYNG",
        ),
    ),
    ('"raises crude oil prices"', "crude", 8, "PHILLIPS <P> RAISES CRUDE OIL PRICES"),
    ("takeover bid", "acq", 8, None),
    ("cocoa buffer stock", "cocoa", 9, "ICCO BUYS 5,000 TONNES COCOA FOR BUFFER STOCK"),
    (
        "sugar tender",
        "sugar",
        9,
        (
            "INDIA TO HOLD WHITE SUGAR BUYING TENDER",
            "EC SUGAR TENDER SEEN AS CONCESSION TO PRODUCERS",
        ),
    ),
    ("money supply", "money-supply", 9, None),
    ("interest rate cut", "interest", 9, None),
    ("trade deficit", "trade", 8, "FRANCE REDUCES TRADE DEFICIT IN FEBRUARY"),
    ("jobless", "jobs", 9, None),
    ("natural gas", "nat-gas", 6, None),
    ("copper", "copper", 8, None),
]


@pytest.fixture(scope="module")
def reuters(reuters_index: Path) -> Engine:
    engine = Engine(reuters_index)
    yield engine
    engine.close()


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize(("q", "topic", "at_least", "headline"), GOLDEN)
def test_first_page_is_what_a_reader_expects(
    reuters: Engine, q: str, topic: str, at_least: int, headline: str | tuple[str, ...] | None
) -> None:
    hits = reuters.search(SearchRequest(q=q)).hits
    on_topic = [h.title for h in hits if topic in h.topics]
    assert len(on_topic) >= at_least, [h.title for h in hits]
    if headline:
        expected = (headline,) if isinstance(headline, str) else headline
        top = [h.title for h in hits[:3]]
        assert set(expected) & set(top), top
