"""A damaged index is reported, not served: JSON errors naming the generation, and /healthz 503.

Also the smaller edges of the HTTP surface found by the integrity probe: ids with slashes,
``OPTIONS``, over-long addresses.
"""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

import pytest

from search.indexing import indexer
from search.ingest.topics import Taxonomy
from search.models import SearchRequest
from search.searching.engine import Engine
from tests.conftest import close_engine, make_app

WORDS = "harbour ferry council budget storm river bridge school market festival".split()


def _corpus(folder: Path) -> Path:
    """Sixty fictional stories sharing their words, so posting lists are long enough to be
    stored in blocks of the postings file (short ones live inside the term table)."""
    rng = random.Random(7)
    folder.mkdir(parents=True)
    lines = []
    for n in range(60):
        words = " ".join(rng.choice(WORDS) for _ in range(40))
        lines.append(
            {
                "id": f"town/{n}" if n == 0 else f"story-{n}",
                "title": f"{WORDS[n % len(WORDS)].title()} news {n}",
                "source": "Harbour Herald" if n % 2 else "Valley Courier",
                "published": f"2025-05-{n % 28 + 1:02d}",
                "body": f"{words}.",
            }
        )
    (folder / "stories.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    return folder


@pytest.fixture
def index(tmp_path: Path) -> Path:
    index = tmp_path / "index"
    report = indexer.build(
        [_corpus(tmp_path / "corpus")], index, taxonomy=Taxonomy.default(), progress=False
    )
    assert report.published
    return index


def _segment_files(index: Path, suffix: str) -> list[Path]:
    live = (index / "CURRENT").read_text().strip()
    return sorted((index / live).glob(f"*{suffix}"))


def _scramble(path: Path) -> None:
    size = path.stat().st_size
    path.write_bytes(random.Random(1).randbytes(size))


def _assert_json_503(response, generation: str) -> dict:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["ok"] is False
    assert generation in body["error"]
    assert "/tmp" not in body["error"]  # no server paths
    return body


def test_random_bytes_in_the_postings_are_a_clear_error_and_an_unhealthy_index(index: Path):
    app = make_app(index)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    for path in _segment_files(index, ".pst"):
        _scramble(path)
    response = client.get("/api/search?q=harbour+ferry")
    body = _assert_json_503(response, "gen-000001")
    assert "damaged" in body["error"]
    page = client.get("/search?q=harbour+ferry")
    assert page.status_code == 503 and "damaged" in page.get_data(as_text=True)
    health = client.get("/healthz")
    _assert_json_503(health, "gen-000001")
    close_engine(app)


def test_a_truncated_segment_is_a_clear_error_on_every_route(index: Path) -> None:
    for path in _segment_files(index, ".trm"):
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    app = make_app(index)
    client = app.test_client()
    _assert_json_503(client.get("/healthz"), "gen-000001")
    _assert_json_503(client.get("/api/search?q=harbour"), "gen-000001")
    _assert_json_503(client.get("/api/stories/story-1"), "gen-000001")
    assert client.get("/search?q=harbour").status_code == 503
    close_engine(app)


def test_healthz_reports_a_stuck_search_without_waiting_for_it(index: Path) -> None:
    engine = Engine(index)
    engine.search(SearchRequest(q="harbour"))
    held = threading.Event()
    release = threading.Event()

    def stuck() -> None:
        with engine._lock:
            engine._busy_since = time.monotonic() - 60
            held.set()
            release.wait(10)
            engine._busy_since = None

    thread = threading.Thread(target=stuck)
    thread.start()
    held.wait(5)
    started = time.monotonic()
    health = engine.health()
    assert time.monotonic() - started < 2
    assert health["ok"] is False and "running for" in health["error"]
    release.set()
    thread.join()
    assert engine.health()["ok"] is True
    engine.close()


def test_a_story_id_with_a_slash_has_a_page(index: Path) -> None:
    app = make_app(index)
    client = app.test_client()
    hits = client.get("/api/search?q=harbour+news+0&per_page=100").get_json()["hits"]
    assert any(h["id"] == "town/0" for h in hits)
    assert client.get("/story/town/0").status_code == 200
    assert client.get("/api/stories/town/0").get_json()["id"] == "town/0"
    close_engine(app)


def test_a_path_like_story_id_is_a_json_404(index: Path) -> None:
    app = make_app(index)
    response = app.test_client().get("/api/stories/%2Fetc%2Fpasswd")
    assert response.status_code == 404 and response.mimetype == "application/json"
    close_engine(app)


def test_options_on_the_api_is_an_empty_204_with_allow(index: Path) -> None:
    from flask.testing import FlaskClient

    app = make_app(index)
    response = FlaskClient(app).open("/api/search", method="OPTIONS")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert "GET" in response.headers["Allow"]
    assert "html" not in response.mimetype
    close_engine(app)


def test_an_over_long_address_gets_the_apps_own_414(index: Path) -> None:
    from flask.testing import FlaskClient

    app = make_app(index)
    response = FlaskClient(app).get("/api/search?q=" + "x" * 200_000)
    assert response.status_code == 414
    assert response.get_json()["status"] == 414
    assert "Content-Security-Policy" in response.headers
    close_engine(app)
