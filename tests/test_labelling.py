"""Learned topics (``labelling``, ``topic_model``, ``topic_features``): right on short teasers,
deterministic, explained with the story's own words, beats on top, no guess when unsure."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from search.indexing import indexer
from search.ingest import labelling, topic_features, topic_model
from search.ingest.topic_features import Corpus
from search.ingest.topics import Taxonomy
from search.models import Story
from tests.conftest import close_engine, make_app

ROOT = Path(__file__).resolve().parents[1]

# Short fictional teasers, as a feed or a page rail shows them: a headline and one sentence.
# Each topic has a made-up name that no word list knows (the Kestrels, Dunmore, Lumina,
# the Fenwick party, the Orrin Quartet): the classifier must learn them from the corpus.
TEMPLATES = {
    "sport": (
        ["Kestrels", "Harriers", "Valley Rovers", "Port Albion"],
        [
            "{x} beat {y} in the cup final after a late goal",
            "{x} striker signs for {y} before the new season",
            "{x} coach praises players after league win over {y}",
            "{x} sack manager after five defeats; {y} next",
            "{x} and {y} draw in tense derby match at the stadium",
            "Injury rules {x} captain out of the match against {y}",
        ],
    ),
    "economy": (
        ["Dunmore Holdings", "Castlebank", "Brightwater Foods", "Eskvale Mills"],
        [
            "{x} shares fall as profits miss forecasts; {y} gains",
            "{x} agrees takeover of {y} in a deal worth millions",
            "{x} raises prices as inflation squeezes margins at {y}",
            "Investors sell {x} stock after weak quarterly revenue; {y} steady",
            "{x} posts record annual earnings, beating {y}",
            "{x} to cut costs after sales slump; {y} lenders worried",
        ],
    ),
    "science-technology": (
        ["Lumina", "Quillsoft", "Nettlebyte", "Orbix"],
        [
            "{x} launches new smartphone app with {y} software",
            "{x} researchers unveil faster computer chip; {y} follows",
            "Hackers breach {x} servers; {y} patches software",
            "{x} tests artificial intelligence that writes code for {y}",
            "{x} broadband network upgrade reaches {y} users",
            "Scientists at {x} and {y} publish study on robots",
        ],
    ),
    "politics": (
        ["the Fenwick party", "Senator Alder", "the Marsh coalition", "Minister Reeve"],
        [
            "{x} wins vote in parliament as {y} concedes",
            "{x} calls early election after clash with {y}",
            "{x} unveils manifesto; {y} promises tax reform",
            "Voters back {x} in local elections, {y} loses seats",
            "{x} resigns from cabinet after row with {y}",
            "{x} and {y} agree coalition government deal",
        ],
    ),
    "arts-culture": (
        ["the Orrin Quartet", "Maya Tellis", "the Gull Street Players", "Ada Verne"],
        [
            "{x} releases new album; {y} joins on tour",
            "{x} wins award for best film at festival; {y} nominated",
            "{x} stars in West End play alongside {y}",
            "{x} novel tops bestseller list ahead of {y}",
            "{x} concert sells out as {y} announces new songs",
            "Museum opens exhibition of work by {x} and {y}",
        ],
    ),
}
PROBES = {
    "sport": "Kestrels and Harriers meet again on Saturday",
    "economy": "Dunmore Holdings and Castlebank in talks",
    "science-technology": "Lumina and Quillsoft unveil a gadget",
    "politics": "Fenwick and Alder meet in private",
    "arts-culture": "The Orrin Quartet and Maya Tellis together again",
}
"""Teasers with no indicator word of their topic: only the corpus can tell."""


def teasers() -> list[tuple[str, str, str]]:
    """(id, text, topic): 5 topics x 6 templates x 4 x 3 name pairs, then the probes."""
    out = []
    for topic, (names, templates) in TEMPLATES.items():
        pairs = list(itertools.permutations(names, 2))
        for n, (template, (x, y)) in enumerate(itertools.product(templates, pairs[:4])):
            out.append((f"{topic}-{n:03d}", template.format(x=x, y=y), topic))
    out += [(f"probe-{topic}", text, topic) for topic, text in PROBES.items()]
    return out


def story(story_id: str, title: str, body: str = "", given: tuple[str, ...] = ()) -> Story:
    return Story(story_id, "teaser", title, "Feed", None, None, "", body, (), (), (), (), given)


@pytest.fixture(scope="module")
def labelled() -> dict[str, Story]:
    stories = [story(sid, text) for sid, text, _ in teasers()]
    return {s.id: s for s in labelling.label(Taxonomy.default(), stories)}


def test_short_fictional_teasers_are_labelled_right(labelled: dict[str, Story]) -> None:
    wrong = [
        (sid, topic, labelled[sid].topics)
        for sid, _, topic in teasers()
        if labelled[sid].topics[:1] != (topic,)
    ]
    assert len(wrong) <= len(labelled) // 20, wrong


def test_words_no_list_knows_are_learned_from_the_corpus(labelled: dict[str, Story]) -> None:
    taxonomy = Taxonomy.default()
    for topic, text in PROBES.items():
        probe = labelled[f"probe-{topic}"]
        # the word lists alone cannot tell (the probe has none of the topic's words) ...
        alone = labelling.list_reasons(taxonomy, *labelling_terms(text))
        assert topic not in [r.topic for r in alone]
        # ... the classifier trained on the corpus can
        assert probe.topics[:1] == (topic,), (text, probe.topic_reasons)
        assert probe.topic_reasons[0].origin == "learned"


def labelling_terms(text: str) -> tuple[list[str], list[str]]:
    from search.indexing.analysis import terms

    return terms(text), []


def test_every_learned_topic_is_explained_by_words_of_the_story(labelled) -> None:
    for sid, text, _ in teasers():
        found = labelled[sid].topic_reasons
        assert found, sid
        corpus = Corpus([(text, "")])
        own_terms = set(corpus.vocab)
        for reason in found:
            assert 0 < reason.confidence <= 1
            assert reason.words, (sid, reason)
            assert set(reason.words) <= own_terms, (sid, reason, own_terms)


def test_a_story_with_nothing_to_go_on_gets_no_topic() -> None:
    stories = [story(sid, text) for sid, text, _ in teasers()]
    stories.append(story("blank", "Zzyzx qwerty", ""))
    stories.append(story("given", "Qwghlm", "", given=("earn",)))
    found = {s.id: s for s in labelling.label(Taxonomy.default(), stories)}
    assert found["blank"].topics == () and found["blank"].topic_reasons == ()
    # a topic the input carried stays, and is not a reason: it is a fact
    assert found["given"].topics == ("earn",) and found["given"].topic_reasons == ()


def test_beats_are_assigned_on_top_of_learned_topics(tmp_path: Path) -> None:
    beats = tmp_path / "beats.toml"
    beats.write_text('[[topic]]\nid = "kestrels"\nlabel = "Kestrels"\nquery = "kestrels"\n')
    taxonomy = Taxonomy.load(beats)
    stories = [story(sid, text) for sid, text, _ in teasers()]
    found = {s.id: s for s in labelling.label(taxonomy, stories)}
    hit = found["probe-sport"]
    assert hit.topics == ("sport", "kestrels"), hit.topic_reasons
    assert [r.origin for r in hit.topic_reasons] == ["learned", "beat"]
    assert "kestrels" not in found["economy-000"].topics


def test_a_small_corpus_is_labelled_by_the_word_lists() -> None:
    few = [story(sid, text) for sid, text, _ in teasers()[:: len(teasers()) // 20]]
    assert len(few) < topic_model.MIN_STORIES
    for labelled_story in labelling.label(Taxonomy.default(), few):
        assert all(r.origin == "words" for r in labelled_story.topic_reasons)


def test_the_order_of_the_stories_does_not_change_their_topics() -> None:
    stories = [story(sid, text) for sid, text, _ in teasers()]
    forward = labelling.label(Taxonomy.default(), stories)
    backward = labelling.label(Taxonomy.default(), stories[::-1])[::-1]
    assert forward == backward


# -- through the indexer: determinism, updates, the API ------------------------------------


def write_corpus(folder: Path, rows: list[tuple[str, str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "teasers.jsonl").open("w", encoding="utf-8") as out:
        for sid, text, _ in rows:
            record = {"id": sid, "title": text, "body": "", "source": "Feed", "kind": "teaser"}
            out.write(json.dumps(record) + "\n")


def stored_topics(index: Path) -> dict[str, tuple]:
    app = make_app(index)
    try:
        client = app.test_client()
        found = {}
        for sid, _, _ in teasers():
            body = client.get(f"/api/stories/{sid}").get_json()
            reasons = [
                (r["topic"], r["confidence"], tuple(r["words"])) for r in body["topic_reasons"]
            ]
            found[sid] = (tuple(body["topics"]), tuple(reasons))
        return found
    finally:
        close_engine(app)


@pytest.mark.slow
def test_the_same_topics_under_any_hash_seed(tmp_path: Path) -> None:
    write_corpus(tmp_path / "corpus", teasers())
    results = []
    for seed in ("0", "1", "4242"):
        index = tmp_path / f"index-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "search", "build", str(tmp_path / "corpus"), "--index",
             str(index), "-q", "--workers", "2"],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        results.append(stored_topics(index))
    assert results[0] == results[1] == results[2]


def test_an_update_labels_as_a_rebuild_does(tmp_path: Path) -> None:
    rows = teasers()
    first, second = rows[::2], rows[1::2]
    write_corpus(tmp_path / "a", first)
    rebuilt = tmp_path / "rebuilt"
    updated = tmp_path / "updated"
    taxonomy = Taxonomy.default()
    indexer.build([tmp_path / "a"], updated, taxonomy=taxonomy, progress=False)
    write_corpus(tmp_path / "b", second)
    report = indexer.update(
        [tmp_path / "a", tmp_path / "b"], updated, taxonomy=taxonomy, progress=False
    )
    indexer.build([tmp_path / "a", tmp_path / "b"], rebuilt, taxonomy=taxonomy, progress=False)
    # 63 stories are too few to learn from; 125 are not: the update learns, and says which
    # unchanged stories it labelled again
    assert report.published and report.relabelled > 0
    assert report.written == len(second) + report.relabelled
    topics = {sid: found[0] for sid, found in stored_topics(updated).items()}
    assert topics == {sid: found[0] for sid, found in stored_topics(rebuilt).items()}
    # nothing changed: nothing is relabelled or written
    again = indexer.update(
        [tmp_path / "a", tmp_path / "b"], updated, taxonomy=taxonomy, progress=False
    )
    assert (again.written, again.relabelled, again.published) == (0, 0, False)


def test_the_api_and_the_story_page_say_why(tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    rows = [*teasers(), ("blank", "Zzyzx qwerty", "none")]
    write_corpus(tmp_path / "corpus", rows)
    index = tmp_path / "index"
    indexer.build([tmp_path / "corpus"], index, taxonomy=Taxonomy.default(), progress=False)
    app = make_app(index)
    try:
        client = app.test_client()
        body = client.get("/api/stories/probe-sport").get_json()
        reason = body["topic_reasons"][0]
        assert reason["topic"] == "sport" and reason["origin"] == "learned"
        assert reason["label"] == "sport" and body["no_confident_topic"] is False
        assert set(reason["words"]) <= {"kestrels", "harriers", "meet", "again", "saturday"}
        facet = client.get("/api/search?q=kestrels").get_json()["facets"]["topic"]
        assert {f["value"]: f["label"] for f in facet}["sport"] == reason["label"]
        page = BeautifulSoup(client.get("/story/probe-sport").get_data(as_text=True), "html.parser")
        shown = page.select_one(".topic-reasons .topic-reason")
        assert "sport" in shown.get_text() and "%" in shown.get_text()
        assert shown.select("q") and not page.select(".topic-none")
        blank = client.get("/api/stories/blank").get_json()
        assert blank["topics"] == [] and blank["no_confident_topic"] is True
        page = BeautifulSoup(client.get("/story/blank").get_data(as_text=True), "html.parser")
        assert "No confident topic" in page.select_one(".topic-none").get_text()
    finally:
        close_engine(app)


def test_a_facet_with_one_value_is_shown_as_a_fact(tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    write_corpus(tmp_path / "corpus", teasers())
    index = tmp_path / "index"
    indexer.build([tmp_path / "corpus"], index, taxonomy=Taxonomy.default(), progress=False)
    app = make_app(index)
    try:
        html = app.test_client().get("/search?q=final+OR+stock").get_data(as_text=True)
        page = BeautifulSoup(html, "html.parser")
        fact = page.select_one(".facet-fact.facet-source")  # every story is from "Feed"
        assert fact is not None and "Feed" in fact.get_text()
        assert not page.select('input[name="source"]')
        assert page.select('input[name="topic"]')  # several topics: still a choice
    finally:
        close_engine(app)


def test_reuters_codes_get_their_names_from_the_corpus(reuters_index: Path) -> None:
    app = make_app(reuters_index)
    try:
        body = app.test_client().get("/api/search?q=profit&per_page=1").get_json()
        labels = {f["value"]: f["label"] for f in body["facets"]["topic"]}
        assert labels["earn"] == "Earnings and Earnings Forecasts"
        assert labels["acq"] == "Mergers/Acquisitions"
        assert labels["economy"] == "economy, business and finance"
    finally:
        close_engine(app)


def test_a_story_relabelled_is_reported_as_such(tmp_path: Path) -> None:
    from search.indexing.manifest import fingerprint, relabelled

    one = story("x", "Kestrels win")
    other = replace(one, topics=("sport",))
    assert relabelled(fingerprint(one, "t"), fingerprint(other, "t"))
    assert not relabelled(fingerprint(one, "t"), fingerprint(replace(one, title="Other"), "t"))


def test_words_found_in_parallel_runs_count_as_in_one() -> None:
    texts = [
        (f"{title} {n}", body) for n, (_, title, _) in enumerate(teasers()) for body in ("", "a b")
    ]
    alone = Corpus(texts)
    # runs done in any order (as a pool finishes them) give the same arrays
    together = Corpus(texts * 40, lambda fn, jobs: [fn(*job) for job in reversed(jobs)])
    assert len(texts) * 40 >= topic_features.PARALLEL
    again = Corpus(texts * 40)
    assert together.vocab == again.vocab == alone.vocab
    for name in ("rows", "terms", "title", "text", "tokens", "segment"):
        assert (getattr(together, name) == getattr(again, name)).all(), name


def test_the_corpus_scores_as_the_word_lists_do() -> None:
    """``Corpus.list_scores`` (all stories at once, numpy) agrees with ``Taxonomy.scores``
    (one story, the index's analysis) on the hand-labelled stories, phrases included."""
    from search.indexing.analysis import terms

    taxonomy = Taxonomy.default()
    rows = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines()]
    corpus = Corpus([(row["title"], row["body"]) for row in rows])
    found = corpus.list_scores(taxonomy)
    for n, row in enumerate(rows):
        expected = taxonomy.scores(terms(row["title"]), terms(row["body"]))
        assert found[n] == pytest.approx(expected, abs=1e-9), row["title"]


EVAL_SET = Path(__file__).parent / "data" / "topics_eval.jsonl"


@pytest.mark.parametrize(
    "text",
    [
        "Year-on-year sales of the 5G co2 firm rose 12% to $3bn, a-b x_y I.B.M. U.S.-Japan",
        "On-the-spot checks: the state-of-the-art plant - and of-course - 100th",
        "Año-on-año café naïve-to a Kelvin \u212a-of sign",
        "A nul\x00byte of-the text",
    ],
)
def test_split_words_are_the_pattern_words(text: str) -> None:
    """ASCII text is split as bytes; the words ``normalise`` keeps are the pattern's."""
    lowered = text.lower()
    inside = topic_features._stop_words_in_compounds(lowered)
    pattern = topic_features.ASCII_WORD if lowered.isascii() else topic_features.WORD
    expected = [
        topic_features.IN_COMPOUND_MARK + m.group() if m.start() in inside else m.group()
        for m in pattern.finditer(lowered)
    ]
    found = [w.decode() if isinstance(w, bytes) else w for w in topic_features._words(text)]
    normal = topic_features.normalise
    assert [t for t in normal(found) if t] == [t for t in normal(expected) if t]
