"""Through gunicorn on Reuters: the costliest queries answer within a second, with a notice when
they were cut short, while an ordinary search beside them stays quick."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.servers import gunicorn
from tests.test_budget import WORST_QUERIES

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(reuters_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with gunicorn(reuters_index, tmp_path_factory.mktemp("gunicorn")) as base:
        # Workers open the index before their first request; give their background reading
        # of the term table a moment, as a server that has just started would have.
        for _ in range(12):
            _get(base, "oil")
        time.sleep(3)
        yield base


def _get(base: str, q: str, match: str = "all") -> tuple[float, dict]:
    url = f"{base}/api/search?" + urlencode({"q": q, "match": match})
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=30) as response:
        body = json.load(response)
    return time.monotonic() - started, body


class Beside:
    """``q=oil`` asked over and over in a thread while the block runs, and how long each took."""

    AT_LEAST = 40

    def __init__(self, base: str) -> None:
        self.base = base
        self.times: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self._stop.is_set() and len(self.times) < 2000:
            took, body = _get(self.base, "oil")
            assert body["total"] > 0
            self.times.append(took)
            time.sleep(0.02)

    def __enter__(self) -> Beside:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        deadline = time.monotonic() + 30
        while len(self.times) < self.AT_LEAST and time.monotonic() < deadline:
            time.sleep(0.05)  # enough answers for a percentile to mean something
        self._stop.set()
        self._thread.join(60)

    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def test_the_worst_queries_answer_within_a_second_beside_an_ordinary_search(server: str):
    slow: list[tuple[str, str, float]] = []
    with Beside(server) as beside:
        for q, match in [(q, m) for q in WORST_QUERIES for m in ("all", "any")] * 3:
            took, body = _get(server, q, match)
            if took >= 1.0:
                slow.append((q, match, took))
            if took > 0.5:  # anything that took long says why
                assert body["query"]["notices"], (q, match, took)
    assert not slow, slow
    # The 95th percentile, not the maximum: the machine running the tests is shared.
    assert beside.p95() < 0.2, sorted(beside.times)[-5:]
    assert max(beside.times) < 1.0, sorted(beside.times)[-5:]


SYNTAX = st.sampled_from(
    ["[", "]", "TO", "*", "(", ")", "AND", "OR", "NOT", "-", '"', "when:9999y", "after:"]
)
PIECE = st.one_of(
    SYNTAX,
    st.from_regex(r"[a-z]{1,2}\*", fullmatch=True),
    st.from_regex(r"\[[a-z0-9]{0,2} TO [a-z0-9]{0,2}\]", fullmatch=True),
    st.from_regex(r"(after|before|date):[0-9]{4}(-[0-9]{2}){0,2}", fullmatch=True),
    st.from_regex(r"when:[0-9]{1,4}[hdwmy]", fullmatch=True),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(PIECE, min_size=1, max_size=40).map(" ".join), st.sampled_from(["all", "any"]))
def test_generated_costly_queries_answer_within_a_second(server: str, q: str, match: str):
    took, body = _get(server, q, match)
    assert took < 1.0, (q, match, took, body["query"]["notices"])
