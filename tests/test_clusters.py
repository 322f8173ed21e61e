"""One story per event across outlets (issue 13, part 4): clusters built from fictional
coverage (``tests/data/clusters/coverage.jsonl``), grouped results, the cluster page and API.

The coverage: one ferry strike told by four outlets in their own words; one wire story (a
mine rescue) carried by three outlets under their own headlines; two unrelated stories the
same day that share a name (Elena Vasquez, mayor and tennis player); a follow-up two weeks on
and one two days on (other events, the same names), and unrelated stories.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from search.indexing import indexer
from search.ingest.clusters import _link, cluster_id, cluster_stories
from search.ingest.stories import fold
from search.ingest.topics import Taxonomy
from search.readers import read_file
from tests.bench_modules import load
from tests.conftest import close_engine, make_app

EVAL = load("clusters_eval")
"""The benchmark's measure (pairwise precision and recall) and its expected groups."""
COVERAGE = EVAL.COVERAGE
EXPECTED = EVAL.EXPECTED
"""The events more than one outlet ran; every other story is alone."""
precision_recall = EVAL.precision_recall


def stories():
    return fold(read_file(COVERAGE).pages).stories


def test_precision_and_recall_on_the_fictional_coverage():
    found = EVAL.groups_of(stories())
    precision, recall = precision_recall(found, EXPECTED)
    assert (precision, recall) == (1.0, 1.0)
    assert sorted(map(sorted, found)) == sorted(map(sorted, EXPECTED))


def test_the_measure_can_fail():
    """A cluster that takes in the look-alike story lowers precision; one split, recall."""
    assert precision_recall([EXPECTED[0] | {"ferry-deal"}, EXPECTED[1]], EXPECTED)[0] < 1
    assert precision_recall([{"ferry-gazette", "ferry-ledger"}, EXPECTED[1]], EXPECTED)[1] < 1


def test_wire_copy_is_marked_and_own_words_are_not():
    by_id = {s.id: s for s in stories()}
    assert {by_id[i].wire for i in EXPECTED[1]} == {"mine-ledger"}
    assert {by_id[i].wire for i in EXPECTED[0]} == {""}
    assert by_id["mine-ledger"].cluster == cluster_id("mine-ledger")  # the first to run it


def test_one_source_is_never_a_cluster():
    same = [replace(s, source="One Outlet", cluster=None, wire="") for s in stories()]
    result = cluster_stories(same)
    assert result.clusters == 0 and not any(s.cluster for s in result.stories)


def test_a_chain_of_look_alikes_is_not_one_cluster():
    """Each story must be like half of a cluster to join it, within 3 days of its first."""
    start = datetime(2026, 3, 1)
    dated = [
        replace(
            stories()[0], id=f"s{n}", source=f"Outlet {n}", published=start + timedelta(hours=n)
        )
        for n in range(5)
    ]
    chain = [(0, 1), (1, 2), (2, 3), (3, 4)]
    assert _link(dated, chain) == [[0, 1, 2], [3, 4]]
    late = [*dated[:2], replace(dated[2], published=start + timedelta(days=3, hours=1))]
    assert _link(late, [(0, 1), (0, 2), (1, 2)]) == [[0, 1]]


def test_clusters_do_not_depend_on_input_order():
    given = stories()
    shuffled = given[:]
    random.Random(7).shuffle(shuffled)
    first = {s.id: (s.cluster, s.wire) for s in cluster_stories(given).stories}
    again = {s.id: (s.cluster, s.wire) for s in cluster_stories(shuffled).stories}
    assert first == again


def test_cluster_ids_do_not_depend_on_the_hash_seed():
    script = (
        "from search.ingest.stories import fold; from search.readers import read_file;"
        f"from pathlib import Path; s = fold(read_file(Path({str(COVERAGE)!r})).pages).stories;"
        "print(sorted((x.id, x.cluster) for x in s if x.cluster))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "12345")
    }
    assert len(outputs) == 1 and "ferry-gazette" in outputs.pop()


# --- the index, the API and the pages -------------------------------------------------------


def build(pages: Path, index: Path, action=indexer.build):
    report = action([pages], index, taxonomy=Taxonomy.default(), workers=1, progress=False)
    assert report.published, report
    return report


@pytest.fixture
def coverage_app(tmp_path: Path):
    (tmp_path / "pages").mkdir()
    shutil.copy(COVERAGE, tmp_path / "pages")
    report = build(tmp_path / "pages", tmp_path / "index")
    assert (report.clusters, report.clustered) == (2, 7)
    app = make_app(tmp_path / "index")
    yield app
    close_engine(app)


def test_the_build_reports_its_clusters(tmp_path: Path):
    (tmp_path / "pages").mkdir()
    shutil.copy(COVERAGE, tmp_path / "pages")
    cli = Path(sys.executable).with_name("newsdex")
    out = subprocess.run(
        [str(cli), "build", str(tmp_path / "pages"), "--index", str(tmp_path / "ix"), "-q"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "7 stories grouped into 2 clusters across sources" in out


def test_grouped_api_results_never_show_two_members_of_one_cluster(coverage_app):
    client = coverage_app.test_client()
    flat = client.get("/api/search?per_page=100").get_json()
    assert flat["total"] == 15 and flat["groups"] is None
    seen: list[str] = []
    leads = 0
    for page in (1, 2, 3):
        data = client.get(f"/api/search?group=cluster&per_page=4&page={page}").get_json()
        assert data["total"] == 15 and data["groups"] == 10 and data["pages"] == 3
        assert data["request"]["group"] == "cluster"
        for hit in data["hits"]:
            leads += 1
            if hit["cluster"]:
                seen.append(hit["cluster"]["id"])
                assert hit["cluster"]["stories"] == len(hit["more"]) + 1
                assert hit["id"] not in {m["id"] for m in hit["more"]}
            else:
                assert hit["more"] == []
        if data["next"]:
            assert "group=cluster" in data["next"]
    assert leads == 10
    assert len(seen) == len(set(seen)) == 2
    for beyond in (4, 16):  # past the grouped list; past the stories too
        data = client.get(f"/api/search?group=cluster&per_page=4&page={beyond}").get_json()
        assert (data["hits"], data["groups"], data["next"]) == ([], 10, None)


def test_grouping_keeps_the_best_match_and_counts_the_rest(coverage_app):
    client = coverage_app.test_client()
    data = client.get("/api/search?q=Karsten+Deep+miners&group=cluster").get_json()
    mine = [h for h in data["hits"] if h["cluster"]]
    assert len(mine) == 1
    shown = [mine[0]["id"]] + [m["id"] for m in mine[0]["more"]]
    assert set(shown) == EXPECTED[1]
    plain = client.get("/api/search?q=Karsten+Deep+miners").get_json()
    first_mine = next(h for h in plain["hits"] if h["id"] in EXPECTED[1])
    assert mine[0]["id"] == first_mine["id"]  # the lead is the cluster's best-ranked match


def test_a_bad_group_is_a_400_naming_it(coverage_app):
    response = coverage_app.test_client().get("/api/search?group=outlet")
    assert response.status_code == 400
    assert response.get_json()["param"] == "group"


def test_stories_and_hits_carry_their_cluster(coverage_app):
    client = coverage_app.test_client()
    story = client.get("/api/stories/ferry-metro").get_json()
    assert story["cluster"]["id"] == cluster_id("ferry-gazette")
    assert story["cluster"]["stories"] == 4
    assert client.get("/api/stories/vasquez-tennis").get_json()["cluster"] is None
    hits = client.get("/api/search?q=Vasquez").get_json()["hits"]
    assert [h["cluster"] for h in hits] == [None, None]


def test_the_export_names_each_story_s_cluster(coverage_app):
    import csv
    import io

    text = coverage_app.test_client().get("/search.csv").get_data(as_text=True)
    rows = {row["id"]: row["cluster"] for row in csv.DictReader(io.StringIO(text))}
    assert rows["ferry-metro"] == cluster_id("ferry-gazette")
    assert rows["vasquez-tennis"] == ""


def test_the_cluster_api_lists_coverage_by_time(coverage_app):
    client = coverage_app.test_client()
    data = client.get(f"/api/clusters/{cluster_id('mine-ledger')}").get_json()
    assert [m["id"] for m in data["members"]] == ["mine-ledger", "mine-courier", "mine-star"]
    assert [m["first"] for m in data["members"]] == [True, False, False]
    assert {m["wire"] for m in data["members"]} == {"mine-ledger"}
    assert data["sources"] == ["Daily Ledger", "Evening Courier", "Northern Star"]
    ferry = client.get(f"/api/clusters/{cluster_id('ferry-gazette')}").get_json()
    published = [m["published"] for m in ferry["members"]]
    assert published == sorted(published) and {m["wire"] for m in ferry["members"]} == {None}
    missing = client.get("/api/clusters/0123456789abcdef")
    assert missing.status_code == 404 and "no cluster" in missing.get_json()["error"]


def test_the_grouped_page_shows_one_hit_per_cluster(coverage_app):
    client = coverage_app.test_client()
    html = client.get("/search?group=cluster&per_page=100").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    hits = soup.select("ol.hits article.hit")
    assert len(hits) == 10
    clusters = [a["href"] for hit in hits for a in hit.select("p.more a.cluster-link")]
    assert len(clusters) == len(set(clusters)) == 2
    more = [" ".join(p.get_text().split()) for p in soup.select("p.more")]
    assert any(m.startswith("+ 3 more from ") for m in more)
    assert soup.select_one('nav.grouping [aria-current="true"]').get_text() == "one per event"
    flat = BeautifulSoup(client.get("/search?per_page=100").get_data(as_text=True), "html.parser")
    assert len(flat.select("ol.hits article.hit")) == 15 and not flat.select("p.more")
    toggle = flat.select_one("nav.grouping a")
    assert "group=cluster" in toggle["href"]


def test_the_cluster_page_marks_first_and_wire_copy(coverage_app):
    client = coverage_app.test_client()
    html = client.get(f"/cluster/{cluster_id('mine-ledger')}").get_data(as_text=True)
    items = BeautifulSoup(html, "html.parser").select("ol.coverage li")
    sources = [li.select_one(".coverage-source").get_text() for li in items]
    assert sources == ["Daily Ledger", "Evening Courier", "Northern Star"]
    marks = [[m.get_text() for m in li.select(".mark")] for li in items]
    assert marks == [
        ["first", "wire copy"],
        ["same wire copy as Daily Ledger"],
        ["same wire copy as Daily Ledger"],
    ]
    ferry = client.get(f"/cluster/{cluster_id('ferry-gazette')}").get_data(as_text=True)
    own = BeautifulSoup(ferry, "html.parser").select("ol.coverage li .mark-own")
    assert len(own) == 4
    assert client.get("/cluster/0123456789abcdef").status_code == 404


def test_an_update_gives_the_clusters_a_build_gives(tmp_path: Path):
    pages = tmp_path / "pages"
    pages.mkdir()
    lines = COVERAGE.read_text(encoding="utf-8").splitlines()
    (pages / "a.jsonl").write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")
    build(pages, tmp_path / "updated")
    (pages / "b.jsonl").write_text("\n".join(lines[6:]) + "\n", encoding="utf-8")
    late = {
        "id": "ferry-island",
        "source": "Island Radio",
        "published": "2026-03-03T08:00:00Z",
        "title": "Navalis strike: no Bluewake ferry to Sella islands again today",
        "body": "Bluewake Lines ferries stayed in Port Alvenna for a second day as the Navalis "
        "union strike over rest hours and a 4 percent pay offer went on; the regional council's "
        "emergency boat reached Sella Major with medicines.",
    }
    (pages / "c.jsonl").write_text(json.dumps(late) + "\n", encoding="utf-8")
    build(pages, tmp_path / "updated", indexer.update)
    build(pages, tmp_path / "fresh")
    answers = []
    for index in ("updated", "fresh"):
        app = make_app(tmp_path / index)
        data = app.test_client().get(f"/api/clusters/{cluster_id('ferry-gazette')}").get_json()
        answers.append(data)
        close_engine(app)
    assert answers[0] == answers[1]
    assert "ferry-island" in {m["id"] for m in answers[0]["members"]}
