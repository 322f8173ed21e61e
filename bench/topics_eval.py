"""How well, and how fast, the default taxonomy assigns topics.

Two measurements, rerun with ``.venv/bin/python bench/topics_eval.py``:

(a) a hand-labelled set of short fictional stories (``tests/data/topics_eval.jsonl``):
    precision and recall over (story, topic) pairs, and top-1 accuracy (the first topic
    assigned is one of the story's labels);
(b) Reuters-21578: each story's Reuters topics mapped to IPTC ids (``REUTERS_TO_IPTC``),
    top-1 accuracy on stories with at least one topic, how often ``economy`` is assigned to
    stories whose topics map to it, and assignment speed in stories per second.

(c) with ``--corpus``, end to end as a user meets it: the BBC tuning half
    (``../shared/corpus/bbc-tuning``, five labelled folders) and the Reuters stories whose
    topics map to IPTC are written as JSON Lines without their labels, built with the real
    indexer into a temporary folder, and read back through the JSON API (``/api/search``,
    every page): the share whose first topic is their label, whose label is among their
    topics, and that have no topic at all; also for "short" stories (headline and first
    sentence only, as a feed item or a teaser reads), and the seconds the build spent
    assigning topics (its ``topics`` phase: the classifier learning and labelling) out of
    the whole build's.

``--sweep`` also scores other thresholds on (a) and (b): the numbers behind the constants at
the top of ``search/ingest/topics.py``. The Reuters files are parsed with a small regex here,
not with newsdex's reader, so the benchmark does not depend on it.
"""

from __future__ import annotations

import argparse
import html
import itertools
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.indexing.analysis import terms  # noqa: E402
from search.ingest import topics  # noqa: E402
from search.ingest.topics import Taxonomy  # noqa: E402

EVAL_SET = ROOT / "tests" / "data" / "topics_eval.jsonl"
REUTERS = ROOT.parent / "shared" / "corpus" / "reuters21578"
BBC = ROOT.parent / "shared" / "corpus" / "bbc-tuning"
BBC_TO_IPTC = {
    "business": "economy",
    "entertainment": "arts-culture",
    "politics": "politics",
    "sport": "sport",
    "tech": "science-technology",
}
"""The mapping the corpus's PROVENANCE.md gives."""

LABOUR_TOPICS = {"jobs"}
"""Reuters topics that are also labour (employment figures); every other one is economy."""


def reuters_to_iptc(topic: str) -> set[str]:
    """Reuters-21578's 135 topics are all economic: earnings (earn), acquisitions (acq),
    currencies (money-fx, dlr, yen, ...), interest rates, trade, commodities (crude, grain,
    wheat, sugar, gold, ...), indicators (gnp, cpi, bop, ...) and shipping (ship). IPTC files
    all of them under economy, business and finance; ``jobs`` is also labour (employment).
    """
    return {"economy", "labour"} if topic in LABOUR_TOPICS else {"economy"}


@dataclass(frozen=True)
class Story:
    title: str
    body: str
    labels: frozenset[str]


@dataclass(frozen=True)
class Analysed:
    title: list[str]
    body: list[str]
    labels: frozenset[str]


def read_eval_set(path: Path = EVAL_SET) -> list[Story]:
    with path.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return [Story(row["title"], row["body"], frozenset(row["labels"])) for row in rows]


_DOC = re.compile(r"<REUTERS\b.*?</REUTERS>", re.S)
_TOPICS = re.compile(r"<TOPICS>(.*?)</TOPICS>", re.S)
_D = re.compile(r"<D>(.*?)</D>")
_TITLE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)


def read_reuters(folder: Path = REUTERS) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(title, body, Reuters topics) for every story of the collection."""
    for path in sorted(folder.glob("reut2-*.sgm")):
        text = path.read_bytes().decode("latin-1")
        for doc in _DOC.findall(text):
            topic_block = _TOPICS.search(doc)
            found = tuple(_D.findall(topic_block.group(1))) if topic_block else ()
            yield first_text(_TITLE, doc), first_text(_BODY, doc), found


def first_text(pattern: re.Pattern[str], doc: str) -> str:
    match = pattern.search(doc)
    return html.unescape(match.group(1)) if match else ""


def analyse(stories: Sequence[Story]) -> list[Analysed]:
    return [Analysed(terms(s.title), terms(s.body), s.labels) for s in stories]


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    top1: float
    covered: float
    """Share of stories that got at least one topic."""
    per_story: float
    """Topics assigned per story, on average."""


def evaluate(taxonomy: Taxonomy, stories: Sequence[Analysed]) -> Scores:
    right = assigned = wanted = top1 = covered = 0
    for story in stories:
        found = taxonomy.assign(story.title, story.body)
        right += len(set(found) & story.labels)
        assigned += len(found)
        wanted += len(story.labels)
        top1 += bool(found) and found[0] in story.labels
        covered += bool(found)
    count = len(stories) or 1
    return Scores(
        precision=right / (assigned or 1),
        recall=right / (wanted or 1),
        top1=top1 / count,
        covered=covered / count,
        per_story=assigned / count,
    )


def economy_recall(taxonomy: Taxonomy, stories: Sequence[Analysed]) -> float:
    """Share of stories labelled economy that are assigned economy (anywhere in their list)."""
    economic = [s for s in stories if "economy" in s.labels]
    hits = sum("economy" in taxonomy.assign(s.title, s.body) for s in economic)
    return hits / (len(economic) or 1)


def stories_per_second(taxonomy: Taxonomy, stories: Sequence[Analysed]) -> float:
    start = time.perf_counter()
    for story in stories:
        taxonomy.assign(story.title, story.body)
    return len(stories) / (time.perf_counter() - start)


def analysed_per_second(taxonomy: Taxonomy, stories: Sequence[Story]) -> float:
    """Speed including ``analysis.terms`` on the title and body (cold word cache)."""
    from search.indexing import analysis

    analysis._cache.clear()
    start = time.perf_counter()
    for story in stories:
        taxonomy.assign(terms(story.title), terms(story.body))
    return len(stories) / (time.perf_counter() - start)


def top1_distribution(taxonomy: Taxonomy, stories: Sequence[Analysed]) -> Counter[str]:
    firsts: Counter[str] = Counter()
    for story in stories:
        found = taxonomy.assign(story.title, story.body)
        firsts[found[0] if found else "(none)"] += 1
    return firsts


def sweep(taxonomy: Taxonomy, fictional: list[Analysed], reuters: list[Analysed]) -> None:
    """Other thresholds, same words: the table that chose the constants in topics.py."""
    keep = (topics.TITLE_WEIGHT, topics.RELATIVE_CUTOFF, topics.MIN_EXTRA_SCORE)
    print(
        "\n| title weight | relative cut-off | min extra | fictional P | R | top-1 | "
        "topics/story | Reuters P | top-1 | topics/story |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    sample = reuters[::5]
    try:
        for weight, cutoff, floor in itertools.product((1, 2, 3, 5), (0.3, 0.5, 0.7), (0, 3, 6, 9)):
            topics.TITLE_WEIGHT, topics.RELATIVE_CUTOFF, topics.MIN_EXTRA_SCORE = (
                weight,
                cutoff,
                float(floor),
            )
            own = evaluate(taxonomy, fictional)
            news = evaluate(taxonomy, sample)
            print(
                f"| {weight} | {cutoff} | {floor} | {own.precision:.2f} | {own.recall:.2f} | "
                f"{own.top1:.2f} | {own.per_story:.2f} | {news.precision:.3f} | "
                f"{news.top1:.3f} | {news.per_story:.2f} |"
            )
    finally:
        topics.TITLE_WEIGHT, topics.RELATIVE_CUTOFF, topics.MIN_EXTRA_SCORE = keep


def misses(taxonomy: Taxonomy, stories: Sequence[Story], analysed: Sequence[Analysed]) -> None:
    for story, terms_of in zip(stories, analysed, strict=True):
        found = taxonomy.assign(terms_of.title, terms_of.body)
        if set(found) != story.labels:
            print(f"  {story.title[:60]:60}  want {sorted(story.labels)}  got {list(found)}")


def read_bbc(folder: Path = BBC) -> list[tuple[str, str, str]]:
    """(title, body, IPTC label) for every article: the first line is the headline."""
    out = []
    for label, topic in BBC_TO_IPTC.items():
        for path in sorted((folder / label).glob("*.txt")):
            title, _, body = path.read_text(encoding="latin-1").strip().partition("\n")
            out.append((title.strip(), body.strip(), topic))
    return out


_FIRST_SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)", re.S)


def shortened(body: str) -> str:
    """The first sentence of a body: what a feed item or a teaser holds."""
    match = _FIRST_SENTENCE.match(body.strip())
    return (match.group(1) if match else body[:200]).strip()


@dataclass(frozen=True)
class CorpusScores:
    stories: int
    first_right: float
    label_among: float
    no_topic: float
    topics_seconds: float = 0.0
    """The build's time assigning topics (its ``topics`` phase) ..."""
    build_seconds: float = 0.0
    """... and the whole build's."""


def through_the_api(rows: Sequence[tuple[str, str, str]], work: Path) -> CorpusScores:
    """Build ``rows`` (title, body, label) with the real indexer and read every story's topics
    back through ``/api/search``."""
    from search.indexing import indexer
    from web import create_app

    corpus = work / "corpus"
    corpus.mkdir(parents=True)
    with (corpus / "stories.jsonl").open("w", encoding="utf-8") as out:
        for n, (title, body, _) in enumerate(rows):
            record = {"id": f"s{n}", "title": title, "body": body, "source": "eval"}
            out.write(json.dumps(record) + "\n")
    index = work / "index"
    report = indexer.build([corpus], index, taxonomy=Taxonomy.default(), progress=False)
    assert report.published, report
    app = create_app({"TESTING": True, "INDEX_DIR": str(index)})
    client = app.test_client()
    found: dict[str, list[str]] = {}
    page = 1
    while True:
        body = client.get(f"/api/search?per_page=100&page={page}&sort=oldest").get_json()
        for hit in body["hits"]:
            found[hit["id"]] = hit["topics"]
        if not body["next"]:
            break
        page += 1
    app.extensions["newsdex_engine"].close()
    labels = [(found.get(f"s{n}", []), label) for n, (_, _, label) in enumerate(rows)]
    count = len(labels) or 1
    return CorpusScores(
        stories=len(labels),
        first_right=sum(bool(t) and t[0] == label for t, label in labels) / count,
        label_among=sum(label in t for t, label in labels) / count,
        no_topic=sum(not t for t, _ in labels) / count,
        topics_seconds=report.phases.get("topics", 0.0),
        build_seconds=report.seconds,
    )


def corpus_report(reuters: Path) -> None:
    import tempfile

    sets: list[tuple[str, list[tuple[str, str, str]]]] = []
    if BBC.is_dir():
        bbc = read_bbc()
        sets.append(("BBC tuning half, articles", bbc))
        sets.append(
            (
                "BBC tuning half, headline + first sentence",
                [(title, shortened(body), label) for title, body, label in bbc],
            )
        )
    else:
        print(f"(no BBC corpus at {BBC})")
    if reuters.is_dir():
        mapped = [
            (t, b, "economy")
            for t, b, found in read_reuters(reuters)
            if found and (t or b) and not set(found) & LABOUR_TOPICS
        ]
        sets.append(("Reuters-21578, topics mapping to economy", mapped))
    print(
        "| set | stories | first topic right | label among topics | no topic | topics s / build s |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, rows in sets:
        with tempfile.TemporaryDirectory(prefix="newsdex-topics-") as work:
            scores = through_the_api(rows, Path(work))
        print(
            f"| {name} | {scores.stories} | {scores.first_right:.3f} | "
            f"{scores.label_among:.3f} | {scores.no_topic:.3f} | "
            f"{scores.topics_seconds:.1f} / {scores.build_seconds:.1f} |"
        )


def build_share(reuters: Path) -> None:
    """What share of ``newsdex build`` on Reuters-21578 goes to assigning topics, in wall
    time (the report's ``topics`` phase) and in CPU time (the labelling's own, against the
    whole build's, the processes each forks included): on a shared machine the CPU share is
    the steadier number."""
    import resource
    import tempfile

    from search.indexing import indexer
    from search.ingest import labelling

    spent = []
    label = labelling.label

    def cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    def timed(*args, **kwargs):
        start = cpu()  # the processes labelling forks count too
        try:
            return label(*args, **kwargs)
        finally:
            spent.append(cpu() - start)

    labelling.label = timed
    try:
        with tempfile.TemporaryDirectory(prefix="newsdex-topics-") as work:
            before = cpu()
            report = indexer.build(
                [reuters], Path(work) / "index", taxonomy=Taxonomy.default(), progress=False
            )
            total = cpu() - before
    finally:
        labelling.label = label
    wall = report.phases.get("topics", 0.0)
    print(f"Reuters-21578 build: {report.stories:,} stories")
    print(f"  wall: topics {wall:.2f} s of {report.seconds:.2f} s ({wall / report.seconds:.1%})")
    print(f"  CPU:  topics {spent[0]:.2f} s of {total:.2f} s ({spent[0] / total:.1%})")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="also score other thresholds")
    parser.add_argument("--misses", action="store_true", help="list fictional stories missed")
    parser.add_argument("--reuters", type=Path, default=REUTERS, help="Reuters-21578 folder")
    parser.add_argument(
        "--corpus", action="store_true", help="end to end on BBC and Reuters, through the API"
    )
    parser.add_argument(
        "--build-share", action="store_true", help="topics' share of a Reuters build"
    )
    args = parser.parse_args(argv)
    if args.build_share:
        build_share(args.reuters)
        return
    if args.corpus:
        corpus_report(args.reuters)
        return

    taxonomy = Taxonomy.default()
    fictional_raw = read_eval_set()
    fictional = analyse(fictional_raw)
    own = evaluate(taxonomy, fictional)

    raw = [Story(t, b, frozenset(found)) for t, b, found in read_reuters(args.reuters)]
    labelled_raw = [
        Story(s.title, s.body, frozenset().union(*(reuters_to_iptc(t) for t in s.labels)))
        for s in raw
        if s.labels
    ]
    labelled = analyse(labelled_raw)
    every = analyse(raw)
    news = evaluate(taxonomy, labelled)

    print(
        f"taxonomy {taxonomy.fingerprint()}: {len(taxonomy)} topics, title weight "
        f"{topics.TITLE_WEIGHT}, cut-off {topics.RELATIVE_CUTOFF}, min extra "
        f"{topics.MIN_EXTRA_SCORE}, at most {topics.MAX_SCORED}\n"
    )
    print("| set | stories | precision | recall | top-1 correct | with a topic | topics/story |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(
        f"| fictional, hand-labelled | {len(fictional)} | {own.precision:.2f} | "
        f"{own.recall:.2f} | {own.top1:.2f} | {own.covered:.2f} | {own.per_story:.2f} |"
    )
    print(
        f"| Reuters-21578 with topics | {len(labelled)} | {news.precision:.2f} | "
        f"{news.recall:.2f} | {news.top1:.3f} | {news.covered:.3f} | {news.per_story:.2f} |"
    )
    print(
        f"\nReuters stories mapped to economy that get economy: "
        f"{economy_recall(taxonomy, labelled):.3f}"
    )
    firsts = top1_distribution(taxonomy, labelled)
    print("Reuters first topic: " + ", ".join(f"{k} {v}" for k, v in firsts.most_common(6)))
    speed = stories_per_second(taxonomy, every)
    cold = analysed_per_second(taxonomy, raw)
    print(
        f"\nspeed over all {len(every)} Reuters stories: assign {speed:,.0f} stories/s; "
        f"terms + assign {cold:,.0f} stories/s"
    )
    if args.misses:
        print("\nfictional stories not labelled exactly:")
        misses(taxonomy, fictional_raw, fictional)
    if args.sweep:
        sweep(taxonomy, fictional, labelled)


if __name__ == "__main__":
    main()
