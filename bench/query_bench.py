"""Query latency: newsdex's engine against plain Whoosh 2.7.4 on the same index and queries.

Queries are drawn from the titles of the indexed stories (1-3 words, and two-word phrases),
with a fixed seed. Each query runs the full workload a results page needs: total, all facets
(source, topics, kind) over every match, the date histogram and ten highlighted hits; and
again bare (top ten and the total only). The full workload runs twice in one engine: the
first pass reads every posting list from disk, as a freshly started worker does; the second
finds them in the engine's per-generation cache, as a worker that has served a while does.
The plain Whoosh side does the same with Whoosh's own ``groupedby`` facets and highlighter.

    python bench/query_bench.py --index /tmp/rix --queries 300

With ``--update-from CORPUS`` it compares a fresh build with an update that reached the same
stories: ``--rewrite`` files of CORPUS get one word added to every story's body; ``--index``
is built from the changed corpus, and ``INDEX-updated`` from the unchanged one and then
updated to the changed one (its old segments keep the replaced stories as deleted documents,
which Whoosh drops only when it merges them). Both are rebuilt on every run.

    python bench/query_bench.py --index /tmp/rix --update-from ../shared/corpus/reuters21578
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from whoosh import highlight, sorting
from whoosh import index as whoosh_index
from whoosh.qparser import MultifieldParser

from search.indexing import indexer
from search.indexing.analysis import WORD, normalise
from search.indexing.generations import IndexDir
from search.indexing.schema import INDEX_NAME
from search.ingest.topics import Taxonomy
from search.models import SearchRequest
from search.searching.engine import Engine


def draw_queries(index_dir: Path, count: int, seed: int = 1987) -> list[str]:
    """``count`` queries from stored titles: a third one word, a third two, the rest three
    words or a quoted two-word phrase."""
    ix = whoosh_index.open_dir(str(IndexDir(index_dir).current().path), indexname=INDEX_NAME)
    rng = random.Random(seed)
    with ix.searcher() as searcher:
        docs = rng.sample(range(searcher.doc_count_all()), min(count * 4, searcher.doc_count()))
        titles = [searcher.stored_fields(d).get("title") or "" for d in docs]
    queries: list[str] = []
    for i, title in enumerate(titles):
        words = [w.lower() for w in WORD.findall(title) if w.isalpha() and normalise(w)]
        words = [w for w in words if len(w) > 2]
        size = (1, 2, 3, 2)[i % 4]
        if len(words) < size:
            continue
        start = rng.randrange(len(words) - size + 1)
        chosen = words[start : start + size]
        query = f'"{" ".join(chosen)}"' if i % 4 == 3 else " ".join(chosen)
        queries.append(query)
        if len(queries) == count:
            break
    return queries


def time_newsdex(
    index_dir: Path,
    queries: list[str],
    full: bool,
    passes: int = 1,
    cpu: list[list[float]] | None = None,
    settle: bool = False,
) -> list[list[float]]:
    """Times per pass over ``queries`` with one engine: the first pass reads every posting
    list from disk (a fresh worker), later ones find them in the engine's cache. ``cpu``,
    when given, receives the process CPU times of the same searches, pass by pass.
    ``settle`` waits for the engine's background work after opening (the spelling lexicon,
    0.2 s of CPU on Reuters) instead of timing the first searches beside it."""
    engine = Engine(index_dir)
    engine.search(SearchRequest(q="warm up"))
    deadline = time.monotonic() + 30
    while settle and engine._current().lexicon is None and time.monotonic() < deadline:
        time.sleep(0.01)
    runs = []
    for _ in range(passes):
        times, cpu_times = [], []
        for q in queries:
            start, start_cpu = time.perf_counter(), time.process_time()
            engine.search(SearchRequest(q=q), facets=full, snippets=full)
            times.append((time.perf_counter() - start) * 1000)
            cpu_times.append((time.process_time() - start_cpu) * 1000)
        runs.append(times)
        if cpu is not None:
            cpu.append(cpu_times)
    engine.close()
    return runs


def time_plain_whoosh(index_dir: Path, queries: list[str], full: bool) -> list[float]:
    ix = whoosh_index.open_dir(str(IndexDir(index_dir).current().path), indexname=INDEX_NAME)
    parser = MultifieldParser(["title", "teaser", "body", "captions"], ix.schema)
    facets = {
        "source": sorting.FieldFacet("source"),
        "topics": sorting.FieldFacet("topics", allow_overlap=True),
        "kind": sorting.FieldFacet("kind"),
        # Months from the sortable date column, as ../shared/WHOOSH.md measured it.
        "month": sorting.TranslateFacet(_month, sorting.FieldFacet("published")),
    }
    times = []
    with ix.searcher() as searcher:
        for q in queries:
            start = time.perf_counter()
            query = parser.parse(q)
            if full:
                results = searcher.search(query, limit=10, groupedby=facets, terms=True)
                results.fragmenter = highlight.SentenceFragmenter()
                for name in ("source", "topics", "kind", "month"):
                    results.groups(name)
                for hit in results:
                    hit.highlights("body", top=3)
            else:
                results = searcher.search(query, limit=10)
            len(results)
            times.append((time.perf_counter() - start) * 1000)
    return times


def _month(value: object) -> str:
    return value.strftime("%Y-%m") if hasattr(value, "strftime") else ""


def fresh_and_updated(corpus: Path, index_dir: Path, rewrite: int) -> tuple[Path, dict]:
    """Build ``index_dir`` fresh from ``corpus`` with ``rewrite`` files changed, and beside it
    an index built from the unchanged corpus and then updated to the same files, so both
    hold the same stories; returns the updated one and what its update did."""
    taxonomy = Taxonomy.default()
    updated = index_dir.with_name(index_dir.name + "-updated")
    files = sorted(p for p in corpus.iterdir() if p.suffix == ".sgm")
    changed = files[:: max(len(files) // rewrite, 1)][:rewrite]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in files:
            (folder / path.name).symlink_to(path.resolve())  # read under its real name
        for target in (index_dir, updated):
            shutil.rmtree(target, ignore_errors=True)
        indexer.build([folder], updated, taxonomy=taxonomy, progress=False)
        for path in changed:
            text = path.read_text(encoding="latin-1").replace("</BODY>", " revised</BODY>")
            (folder / path.name).unlink()
            (folder / path.name).write_text(text, encoding="latin-1")
        report = indexer.update([folder], updated, taxonomy=taxonomy, progress=False)
        indexer.build([folder], index_dir, taxonomy=taxonomy, progress=False)
    done = {"files_rewritten": len(changed), "deleted": report.deleted, "written": report.written}
    return updated, done


def deleted_share(index_dir: Path) -> dict[str, int]:
    ix = whoosh_index.open_dir(str(IndexDir(index_dir).current().path), indexname=INDEX_NAME)
    with ix.reader() as reader:
        return {
            "segments": len(list(reader.leaf_readers())),
            "documents": reader.doc_count_all(),
            "live": reader.doc_count(),
        }


def summary(times: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(times, n=100)
    return {
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "max_ms": round(max(times), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="an index built by newsdex")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--no-whoosh", action="store_true", help="skip the plain Whoosh runs")
    parser.add_argument(
        "--update-from",
        type=Path,
        metavar="CORPUS",
        help="compare --index (built from CORPUS if absent) with an updated copy of it",
    )
    parser.add_argument("--rewrite", type=int, default=2, help="files an update rewrites")
    parser.add_argument("--rounds", type=int, default=3, help="fresh/updated alternations")
    args = parser.parse_args(argv)
    if args.update_from:
        return compare_update(args)
    queries = draw_queries(args.index, args.queries)
    report: dict[str, object] = {"index": str(args.index), "queries": len(queries)}
    cold, warm = time_newsdex(args.index, queries, full=True, passes=2)
    report["newsdex_full"] = summary(cold)
    report["newsdex_full_warm"] = summary(warm)
    report["newsdex_bare"] = summary(time_newsdex(args.index, queries, full=False)[0])
    if not args.no_whoosh:
        report["whoosh_full"] = summary(time_plain_whoosh(args.index, queries, full=True))
        report["whoosh_bare"] = summary(time_plain_whoosh(args.index, queries, full=False))
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


def compare_update(args: argparse.Namespace) -> int:
    """Fresh against updated, the full workload cold and warm, alternating ``--rounds``
    times so that a busy moment of the shared machine does not land on one side only."""
    updated, done = fresh_and_updated(args.update_from, args.index, args.rewrite)
    queries = draw_queries(args.index, args.queries)
    report: dict[str, object] = {"queries": len(queries), "update": done}
    # wall cold, wall warm, CPU cold, CPU warm: CPU time shows less of the other jobs
    runs: dict[str, list[list[float]]] = {"fresh": [[], [], [], []], "updated": [[], [], [], []]}
    for _ in range(args.rounds):
        for name, index_dir in (("fresh", args.index), ("updated", updated)):
            cpu: list[list[float]] = []
            cold, warm = time_newsdex(index_dir, queries, full=True, passes=2, cpu=cpu, settle=True)
            for pooled, times in zip(runs[name], (cold, warm, *cpu), strict=True):
                pooled += times
    for name, index_dir in (("fresh", args.index), ("updated", updated)):
        report[name] = {
            "index": str(index_dir),
            **deleted_share(index_dir),
            "full_cold": summary(runs[name][0]),
            "full_warm": summary(runs[name][1]),
            "full_cold_cpu": summary(runs[name][2]),
            "full_warm_cpu": summary(runs[name][3]),
        }
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
