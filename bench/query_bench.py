"""Query latency: newsdex's engine against plain Whoosh 2.7.4 on the same index and queries.

Queries are drawn from the titles of the indexed stories (1-3 words, and two-word phrases),
with a fixed seed. Each query runs the full workload a results page needs: total, all facets
(source, topics, kind) over every match, the date histogram and ten highlighted hits; and
again bare (top ten and the total only). The full workload runs twice in one engine: the
first pass reads every posting list from disk, as a freshly started worker does; the second
finds them in the engine's per-generation cache, as a worker that has served a while does.
The plain Whoosh side does the same with Whoosh's own ``groupedby`` facets and highlighter.

    python bench/query_bench.py --index /tmp/rix --queries 300
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

from whoosh import highlight, sorting
from whoosh import index as whoosh_index
from whoosh.qparser import MultifieldParser

from search.analysis import WORD, normalise
from search.engine import Engine
from search.generations import IndexDir
from search.models import SearchRequest
from search.schema import INDEX_NAME


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
    index_dir: Path, queries: list[str], full: bool, passes: int = 1
) -> list[list[float]]:
    """Times per pass over ``queries`` with one engine: the first pass reads every posting
    list from disk (a fresh worker), later ones find them in the engine's cache."""
    engine = Engine(index_dir)
    engine.search(SearchRequest(q="warm up"))
    runs = []
    for _ in range(passes):
        times = []
        for q in queries:
            start = time.perf_counter()
            engine.search(SearchRequest(q=q), facets=full, snippets=full)
            times.append((time.perf_counter() - start) * 1000)
        runs.append(times)
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
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    raise SystemExit(main())
