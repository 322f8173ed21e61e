"""Topic assignment: the default IPTC taxonomy, users' topics files, beats and their errors."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.errors import BadTopicsFile
from search.indexing.analysis import terms
from search.ingest.topics import MAX_SCORED, Taxonomy, analyse_words

EVAL_SET = Path(__file__).parent / "data" / "topics_eval.jsonl"

DEFAULT_IDS = {
    "arts-culture", "crime-law", "disaster", "economy", "education", "environment", "health",
    "human-interest", "labour", "lifestyle", "politics", "religion", "science-technology",
    "society", "sport", "conflict", "weather",
}  # fmt: skip


def assign(taxonomy: Taxonomy, title: str, body: str = "", given_: tuple[str, ...] = ()):
    return taxonomy.assign(terms(title), terms(body), given_)


def write(tmp_path: Path, text: str, name: str = "topics.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def default() -> Taxonomy:
    return Taxonomy.default()


# -- the default taxonomy ---------------------------------------------------------------------


def test_default_taxonomy_has_the_17_iptc_topics(default: Taxonomy) -> None:
    assert len(default) == 17
    assert set(default.ids) == DEFAULT_IDS
    assert default.labels()["economy"] == "economy, business and finance"
    codes = [topic.iptc for topic in default.topics]
    assert len(set(codes)) == 17 and all(code.startswith("medtop:") for code in codes)
    # distinct analysed indicators; economy has most (commodities, currencies, company news)
    sizes = [len(analyse_words(topic, "default")) for topic in default.topics]
    assert min(sizes) >= 60 and max(sizes) <= 300


def test_default_is_loaded_once(default: Taxonomy) -> None:
    assert Taxonomy.default() is default


def test_sports_story_gets_sport(default: Taxonomy) -> None:
    found = assign(
        default,
        "Striker's late goal wins the cup final",
        "The home team beat the champions 2-1 in front of 60,000 fans at the stadium. "
        "The coach praised his players after the match.",
    )
    assert found[0] == "sport"


def test_political_story_gets_politics(default: Taxonomy) -> None:
    found = assign(
        default,
        "Opposition wins majority in parliamentary election",
        "Voters handed the opposition party a clear majority; the prime minister conceded "
        "defeat and lawmakers will elect a new cabinet next week.",
    )
    assert found[0] == "politics"


def test_phrases_count_as_consecutive_terms(default: Taxonomy) -> None:
    scores = dict(zip(default.ids, default.scores(terms("the Bank of Japan"), []), strict=True))
    apart = dict(zip(default.ids, default.scores(terms("the bank said Japan"), []), strict=True))
    assert scores["economy"] > apart["economy"]


def test_given_topics_come_first_and_once(default: Taxonomy) -> None:
    found = assign(default, "Central bank raises interest rates", "", ("earn", "economy"))
    assert found[:2] == ("earn", "economy")
    assert found.count("economy") == 1


def test_a_story_without_indicators_gets_no_topic(default: Taxonomy) -> None:
    assert assign(default, "Zorblat quizzle", "Flimflam wobbegong.") == ()
    assert assign(default, "", "", ("acq",)) == ("acq",)


def test_any_indicator_gives_a_topic(default: Taxonomy) -> None:
    assert assign(default, "", "The museum was quiet.") == ("arts-culture",)


def test_at_most_three_scored_topics(default: Taxonomy) -> None:
    everything = " ".join(
        f"{word} " * 3
        for word in ("election", "football", "earthquake", "inflation", "vaccine", "church")
    )
    assert len(assign(default, everything, everything)) == MAX_SCORED


def test_taxonomy_pickles(default: Taxonomy) -> None:
    copy = pickle.loads(pickle.dumps(default))
    assert copy.fingerprint() == default.fingerprint()
    story = ("Tariffs hit exports", "Automakers warned that tariffs would cut profits.")
    assert assign(copy, *story) == assign(default, *story)


@settings(max_examples=60, deadline=None)
@given(
    title=st.lists(st.sampled_from(["elect", "footbal", "inflat", "zzz", "church", "war"])),
    body=st.lists(st.sampled_from(["vaccin", "rain", "bank", "central", "school", "qq"])),
    given_=st.lists(st.sampled_from(["earn", "acq", "sport"]), max_size=3),
)
def test_assign_keeps_given_then_at_most_three(title, body, given_) -> None:
    taxonomy = Taxonomy.default()
    found = taxonomy.assign(title, body, tuple(given_))
    kept = tuple(dict.fromkeys(given_))
    assert found[: len(kept)] == kept
    assert len(found) <= len(kept) + MAX_SCORED
    assert len(set(found)) == len(found)


# -- the labelled fictional set: a regression guard ---------------------------------------------


def test_accuracy_on_labelled_set_does_not_regress(default: Taxonomy) -> None:
    """Measured by bench/topics_eval.py: precision 0.95, recall 0.96, top-1 1.00 (73 stories)."""
    stories = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines()]
    right = assigned = wanted = top1 = 0
    for story in stories:
        found = assign(default, story["title"], story["body"])
        labels = set(story["labels"])
        right += len(labels & set(found))
        assigned += len(found)
        wanted += len(labels)
        top1 += bool(found) and found[0] in labels
    assert len(stories) >= 60
    assert top1 / len(stories) >= 0.95
    assert right / assigned >= 0.90
    assert right / wanted >= 0.90


# -- users' topics files ----------------------------------------------------------------------

USER_FILE = """
mode = "extend"

[[topic]]
id = "taiwan"
label = "Taiwan"
query = "taiwan OR taipei"

[[topic]]
id = "chips"
label = "Chips"
words = { semiconductor = 3, "chip maker" = 3, wafer = 2 }
"""


def test_extend_adds_to_the_default(tmp_path: Path) -> None:
    taxonomy = Taxonomy.load(write(tmp_path, USER_FILE))
    assert len(taxonomy) == 19
    assert taxonomy.ids[-2:] == ("taiwan", "chips")
    assert taxonomy.labels()["taiwan"] == "Taiwan"
    found = assign(taxonomy, "Chip maker opens wafer plant", "Semiconductor output in Taipei.")
    assert "chips" in found and "taiwan" in found


def test_replace_keeps_only_the_users_topics(tmp_path: Path) -> None:
    taxonomy = Taxonomy.load(write(tmp_path, USER_FILE.replace('"extend"', '"replace"')))
    assert taxonomy.ids == ("taiwan", "chips")
    assert assign(taxonomy, "Football: cup final tonight") == ()


def test_extend_overrides_a_default_topic_in_place(tmp_path: Path) -> None:
    path = write(tmp_path, '[[topic]]\nid = "sport"\nlabel = "Games"\nwords = ["chess"]\n')
    taxonomy = Taxonomy.load(path)
    assert len(taxonomy) == 17
    assert taxonomy.labels()["sport"] == "Games"
    assert taxonomy.ids.index("sport") == Taxonomy.default().ids.index("sport")
    assert assign(taxonomy, "Chess") == ("sport",)
    assert "sport" not in assign(taxonomy, "Football league match")


def test_words_accept_all_three_spellings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'mode = "replace"\n'
        '[[topic]]\nid = "a"\nwords = ["alpha"]\n'
        '[[topic]]\nid = "b"\nwords = { beta = 2 }\n'
        '[[topic]]\nid = "c"\n[topic.words]\n3 = ["gamma", "delta"]\n',
    )
    taxonomy = Taxonomy.load(path)
    weights = {topic.id: topic.words for topic in taxonomy.topics}
    assert weights == {
        "a": (("alpha", 1.0),),
        "b": (("beta", 2.0),),
        "c": (("gamma", 3.0), ("delta", 3.0)),
    }


def test_fingerprint_follows_the_definitions(tmp_path: Path, default: Taxonomy) -> None:
    first = Taxonomy.load(write(tmp_path, USER_FILE))
    again = Taxonomy.load(write(tmp_path, USER_FILE, "copy.toml"))
    changed = Taxonomy.load(write(tmp_path, USER_FILE.replace("wafer = 2", "wafer = 1"), "c.toml"))
    assert first.fingerprint() == again.fingerprint()
    assert first.fingerprint() != changed.fingerprint() != default.fingerprint()


# -- beats --------------------------------------------------------------------------------------


def beat(tmp_path: Path, query: str) -> Taxonomy:
    text = f'mode = "replace"\n[[topic]]\nid = "beat"\nquery = {json.dumps(query)}\n'
    return Taxonomy.load(write(tmp_path, text))


@pytest.mark.parametrize(
    ("query", "title", "body", "matches"),
    [
        ("taiwan OR taipei", "Taipei summit", "", True),
        ("taiwan OR taipei", "", "Talks in Taiwan", True),
        ("taiwan OR taipei", "Tokyo summit", "", False),
        ("taiwan AND tariffs", "Taiwan", "New tariffs announced", True),
        ("taiwan tariffs", "Taiwan", "No duties", False),  # words are ANDed by default
        ("taiwan NOT china", "Taiwan", "", True),
        ("taiwan NOT china", "Taiwan", "and China", False),
        ("taiwan -china", "Taiwan", "and China", False),
        ('"central bank"', "", "The central bank met", True),
        ('"central bank"', "", "A central office of the bank", False),
        ('"bank of japan"', "", "The Bank of Japan held rates", True),  # stop words dropped
        ('"central bank" AND (rate OR rates)', "", "The central bank cut its rate", True),
        ('"central bank" AND (rate OR rates)', "", "The central bank spoke", False),
        ("elect*", "", "Electricity prices", True),
        ("elect*", "", "Voters chose", False),
        ("e?ect*", "", "Elections loom", True),
        ("title:election -local", "General election called", "", True),
        ("title:election -local", "Local election results", "", False),
        ("title:election -local", "Budget", "An election is near", False),
        ("body:tariffs", "Tariffs", "", False),
        ("war-torn", "", "The war-torn region", True),
    ],
)
def test_beat_queries(tmp_path, query, title, body, matches) -> None:
    assert (assign(beat(tmp_path, query), title, body) == ("beat",)) is matches


def test_beats_survive_pickling(tmp_path: Path) -> None:
    taxonomy = pickle.loads(pickle.dumps(beat(tmp_path, 'e?ect* OR "central bank"~2')))
    assert assign(taxonomy, "", "The central state bank") == ("beat",)
    assert assign(taxonomy, "Elections", "") == ("beat",)
    assert assign(taxonomy, "Bank", "") == ()


def test_beats_come_after_scored_topics_and_are_not_capped(tmp_path: Path) -> None:
    taxonomy = Taxonomy.load(write(tmp_path, USER_FILE))
    found = assign(taxonomy, "Football final in Taipei", "", ("given",))
    assert found[0] == "given" and found[-1] == "taiwan" and "sport" in found


# -- errors name the file and the problem -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[topic]\nid = 1", "not valid TOML"),
        ('[[topic]]\nlabel = "No id"\nwords = ["x1"]\n', "missing id"),
        ('[[topic]]\nid = "empty"\nlabel = "Nothing"\n', "neither words nor a query"),
        ('[[topic]]\nid = "bad"\nquery = "(taiwan OR taipei"\n', "unbalanced parentheses"),
        ('[[topic]]\nid = "bad"\nquery = "\\"central bank"\n', "unclosed quote"),
        ('[[topic]]\nid = "bad"\nquery = "the AND of"\n', "no searchable words"),
        ('[[topic]]\nid = "bad"\nquery = "headline:taiwan"\n', "field 'headline'"),
        ('[[topic]]\nid = "bad"\nquery = "[a TO b]"\n', "ranges"),
        ('[[topic]]\nid = "bad"\nquery = "NOT taiwan"\n', "only excludes"),
        ('[[topic]]\nid = "bad"\nquery = "x"\nwords = ["y1"]\n', "both words and a query"),
        ('[[topic]]\nid = "Bad Id"\nwords = ["y1"]\n', "lower-case letters"),
        ('[[topic]]\nid = "w"\nwords = ["the"]\n', "no searchable terms"),
        ('[[topic]]\nid = "w"\nwords = { tariff = -1 }\n', "positive number"),
        ('[[topic]]\nid = "w"\nquerry = "x"\n', "unknown key 'querry'"),
        ('mode = "merge"\n', "mode must be"),
        ('[[topic]]\nid = "a"\nwords = ["x1"]\n[[topic]]\nid = "a"\nwords = ["x1"]\n', "twice"),
    ],
)
def test_bad_topics_files(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(BadTopicsFile) as caught:
        Taxonomy.load(path)
    assert str(path) in str(caught.value)
    assert problem in str(caught.value)


def test_unreadable_topics_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.toml"
    with pytest.raises(BadTopicsFile, match="cannot be read") as caught:
        Taxonomy.load(path)
    assert str(path) in str(caught.value)
