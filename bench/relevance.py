"""Relevance: nDCG@10 and MAP@100 on the judged collections MED, CRAN and NPL.

Each collection (``../shared/corpus/ircoll``, formats in its ``PROVENANCE.md``) is turned into
newsdex's JSON Lines input, built into a real index with ``search.indexing.indexer.build`` (as
``newsdex build`` does) and queried through ``Engine.search`` with ``match=any`` and
``per_page=100``, as the JSON API would run it. Query text is sent as a person pasting it into
the search box would: its lines joined with single spaces, nothing else changed, so the query
language reads its ``(``, ``"``, ``:``, upper-case ``AND``/``OR``/``NOT`` and a ``-`` at the
start of a word (``shock-sound`` inside a word is the phrase ``"shock sound"``). ``--plain``
sends only the query's words, lower-cased, to show what that syntax costs. Queries longer than
a front end's limit (``search.interface.params.MAX_QUERY_CHARS``, when there is one; since
issue 14 there is none) are cut at a space and counted.

    python bench/relevance.py [--collections MED CRAN NPL] [--json] [--work DIR] [--plain]

Gains: CRAN's grades 1-4 become gains 4-1 (grade 1, "a complete answer", is worth most;
-1, judged not relevant, is 0); MED and NPL judge relevant or not (gain 1). nDCG@10 uses those
gains linearly with the log2(rank + 1) discount; MAP@100 counts any gain > 0 as relevant and
divides by every relevant document the query has, as trec_eval's ``map_cut_100`` does. Both
are averaged over the queries with at least one relevant document.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
IRCOLL = ROOT.parent / "shared" / "corpus" / "ircoll"
CUTOFF_NDCG = 10
CUTOFF_MAP = 100
CRAWLED = datetime(2000, 1, 1)
"""A fixed crawl time: the collections carry no dates, and the build should not depend on
the files' modification times."""

PEERS = {
    # nDCG@10 measured by peers on the same workload (issue 14): OR of the query's words,
    # each engine's default BM25, title x2 where a collection has titles.
    "MED": {"whoosh": 0.705, "fts5": 0.690, "tantivy": 0.704, "bm25s": 0.696},
    "CRAN": {"whoosh": 0.388, "fts5": 0.384, "tantivy": 0.362, "bm25s": 0.394},
    "NPL": {"whoosh": 0.431, "fts5": 0.431, "tantivy": 0.439, "bm25s": 0.428},
}
PEER_NAMES = {"whoosh": "Whoosh", "fts5": "FTS5", "tantivy": "tantivy", "bm25s": "bm25s"}
MARGIN = 0.01
"""The goal: the best peer plus this, on every collection."""

SYNTAX = re.compile(r"[-()\"'*:+^~\[\]{}]|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b")
"""What newsdex's query language (Whoosh's parser) may read as syntax rather than words."""
WORDS = re.compile(r"\w+(?:\.?\w+)*")
"""``search.indexing.analysis.WORD``: the words the analyser would see."""


# --- metrics ------------------------------------------------------------------------------------


def ndcg(ranking: Sequence[str], gains: dict[str, float], k: int = CUTOFF_NDCG) -> float:
    """nDCG@k with linear gains: sum of gain / log2(rank + 1) over the top k, divided by the
    same sum over the best possible order of the judged documents."""
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    got = np.array([max(gains.get(doc, 0.0), 0.0) for doc in ranking[:k]], dtype=float)
    best = np.sort(np.array([g for g in gains.values() if g > 0], dtype=float))[::-1][:k]
    ideal = float(best @ discount[: len(best)])
    return float(got @ discount[: len(got)]) / ideal if ideal > 0 else 0.0


def average_precision(
    ranking: Sequence[str], gains: dict[str, float], k: int = CUTOFF_MAP
) -> float:
    """AP@k: precision at the rank of each relevant document in the top k, summed, divided by
    how many relevant documents the query has (all of them, not only those in the top k)."""
    relevant = sum(1 for g in gains.values() if g > 0)
    if relevant == 0:
        return 0.0
    hit = np.array([gains.get(doc, 0.0) > 0 for doc in ranking[:k]], dtype=bool)
    precision = np.cumsum(hit) / np.arange(1, len(hit) + 1)
    return float(precision[hit].sum() / relevant)


# --- the collections ----------------------------------------------------------------------------


@dataclass
class Collection:
    name: str
    docs: list[tuple[str, str, str]]
    """(doc id, title, text); the title is empty where the collection has none."""
    queries: list[tuple[str, str]]
    """(query id as the judgments number it, text as in the file)."""
    qrels: dict[str, dict[str, float]]
    """Query id -> doc id -> gain (> 0: relevant)."""
    notes: list[str] = field(default_factory=list)


def smart_records(text: str) -> list[dict[str, str]]:
    """SMART ``.I``/``.T``/``.W`` ... records: each a dict of field letter -> text, with its
    ``.I`` number under ``"I"``; a field's lines are kept as they are, joined by newlines."""
    records: list[dict[str, str]] = []
    current: dict[str, list[str]] = {}
    name = None
    for line in text.splitlines():
        marker = re.match(r"\.([A-Z])\b(.*)", line)
        if marker and marker.group(1) == "I":
            current = {"I": [marker.group(2).strip()]}
            records.append(current)  # type: ignore[arg-type]
            name = None
        elif marker and current:
            name = marker.group(1)
            current[name] = []
        elif name is not None:
            current[name].append(line)
    return [{k: "\n".join(v).strip() for k, v in r.items()} for r in records]  # type: ignore[union-attr]


def slash_records(text: str) -> list[tuple[str, str]]:
    """NPL's records: a number line, then text, ended by a line holding ``/`` (the last one
    may end with the file instead); (number, text) pairs."""
    records = []
    for chunk in re.split(r"^\s*/\s*$", text, flags=re.MULTILINE):
        lines = chunk.strip().splitlines()
        if lines:
            records.append((lines[0].strip(), "\n".join(lines[1:]).strip()))
    return records


def read_med(folder: Path) -> Collection:
    docs = [(r["I"], "", r.get("W", "")) for r in smart_records(_read(folder / "MED.ALL"))]
    queries = [(r["I"], r.get("W", "")) for r in smart_records(_read(folder / "MED.QRY"))]
    qrels: dict[str, dict[str, float]] = {}
    for line in _read(folder / "MED.REL").splitlines():
        if line.strip():
            query, _, doc, grade = line.split()
            qrels.setdefault(query, {})[doc] = float(grade)
    return Collection("MED", docs, queries, qrels, ["text (.W) -> body; no titles; gain 1"])


def read_cran(folder: Path) -> Collection:
    docs = [
        (r["I"], " ".join(r.get("T", "").split()), r.get("W", ""))
        for r in smart_records(_read(folder / "cran.all.1400"))
    ]
    # The judgments number the queries 1..225 in file order; the file's own .I skips.
    records = smart_records(_read(folder / "cran.qry"))
    queries = [(str(n), r.get("W", "")) for n, r in enumerate(records, start=1)]
    qrels: dict[str, dict[str, float]] = {}
    for line in _read(folder / "cranqrel").splitlines():
        if line.strip():
            query, doc, grade = line.split()
            # Grade 1 is the best; -1 is judged not relevant (kept as gain 0).
            gain = 5.0 - int(grade) if 1 <= int(grade) <= 4 else 0.0
            qrels.setdefault(query, {})[doc] = gain
    notes = [
        ".T -> title, .W -> body (.W opens with the title again, kept as is); .A, .B unused",
        "n-th query in cran.qry -> judgment query n; grades 1..4 -> gains 4..1, -1 -> 0",
    ]
    return Collection("CRAN", docs, queries, qrels, notes)


def read_npl(folder: Path) -> Collection:
    docs = [(n, "", text) for n, text in slash_records(_read(folder / "doc-text"))]
    queries = slash_records(_read(folder / "query-text"))
    qrels = {
        n: {doc: 1.0 for doc in text.split()}
        for n, text in slash_records(_read(folder / "rlv-ass"))
    }
    return Collection("NPL", docs, queries, qrels, ["text -> body; no titles; gain 1"])


READERS = {
    "MED": ("MED", ["MED.ALL", "MED.QRY", "MED.REL"], read_med),
    "CRAN": ("CRAN", ["cran.all.1400", "cran.qry", "cranqrel"], read_cran),
    "NPL": ("NPL", ["doc-text", "query-text", "rlv-ass"], read_npl),
}


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


# --- queries as a person sends them -------------------------------------------------------------


def pasted(text: str) -> str:
    """The query as pasted into the one-line search box: lines joined by single spaces."""
    return " ".join(text.split())


def plain(text: str) -> str:
    """Only the query's words, lower case: nothing the query language could read as syntax."""
    return " ".join(WORDS.findall(text.lower()))


def query_limit() -> int | None:
    """The front ends' query length limit (``search.interface.params.MAX_QUERY_CHARS``)."""
    try:
        from search.interface import params
    except ImportError:
        return None
    return getattr(params, "MAX_QUERY_CHARS", None)


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a space where there is one."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0]
    return cut if cut else text[:limit]


# --- one collection -----------------------------------------------------------------------------


def write_jsonl(collection: Collection, path: Path) -> int:
    """The collection as JSON Lines (``docs/formats.md``); how many documents were left out
    for having no text (the reader needs a title or a body)."""
    empty = 0
    with path.open("w", encoding="utf-8") as out:
        for doc_id, title, text in collection.docs:
            if not title.strip() and not text.strip():
                empty += 1
                continue
            line = {"id": story_id(collection.name, doc_id), "source": collection.name}
            if title:
                line["title"] = title
            line["body"] = text
            out.write(json.dumps(line) + "\n")
    return empty


def story_id(collection: str, doc_id: str) -> str:
    return f"{collection.lower()}-{doc_id}"


def run_collection(
    collection: Collection, work: Path, use_plain: bool, workers: int
) -> dict[str, Any]:
    from search.indexing import indexer  # imported here so the metrics load fast
    from search.ingest.topics import Taxonomy
    from search.models import MAX_PER_PAGE, SearchRequest
    from search.searching.engine import Engine

    folder = work / collection.name
    folder.mkdir(parents=True, exist_ok=True)
    jsonl = folder / "docs.jsonl"
    empty = write_jsonl(collection, jsonl)
    no_text = {d for d, title, text in collection.docs if not (title.strip() or text.strip())}
    judged_empty = {d for gains in collection.qrels.values() for d, g in gains.items() if g > 0}
    judged_empty &= no_text
    started = time.perf_counter()
    report = indexer.build(
        [jsonl],
        folder / "index",
        taxonomy=Taxonomy.default(),
        crawled_at=CRAWLED,
        workers=workers,
        progress=False,
    )
    build_s = time.perf_counter() - started
    prefix = story_id(collection.name, "")
    limit = query_limit()
    per_page = min(CUTOFF_MAP, MAX_PER_PAGE)

    engine = Engine(folder / "index")
    engine.search(SearchRequest(q="warm up", match="any"), facets=False, snippets=False)
    per_query = []
    took = []
    for qid, raw in collection.queries:
        gains = collection.qrels.get(qid, {})
        if not any(g > 0 for g in gains.values()):
            continue
        binary = {doc: 1.0 for doc, g in gains.items() if g > 0}
        text = plain(raw) if use_plain else pasted(raw)
        truncated = limit is not None and len(text) > limit
        if truncated:
            text = truncate(text, limit)
        request = SearchRequest(q=text, match="any", per_page=per_page)
        start = time.perf_counter()
        # The ranking only: facets and snippets do not change the order of the hits.
        results = engine.search(request, facets=False, snippets=False)
        took.append((time.perf_counter() - start) * 1000)
        ranking = [hit.id.removeprefix(prefix) for hit in results.hits]
        per_query.append(
            {
                "query": qid,
                "text": text,
                "ndcg@10": ndcg(ranking, gains),
                "ndcg@10_binary": ndcg(ranking, binary),
                "ap@100": average_precision(ranking, gains),
                "hits": results.total,
                "relevant": sum(1 for g in gains.values() if g > 0),
                "syntax": bool(SYNTAX.search(text)),
                "notices": list(results.query.notices),
                "interpreted": results.query.interpreted,
                "truncated": truncated,
                "ranking": ranking,
            }
        )
    engine.close()
    judged_missing = {doc for gains in collection.qrels.values() for doc in gains} - {
        doc_id for doc_id, _, _ in collection.docs
    }
    peers = PEERS.get(collection.name, {})
    return {
        "collection": collection.name,
        "mode": "plain" if use_plain else "as pasted",
        "docs": report.stories,
        "docs_in_files": len(collection.docs),
        "docs_without_text": empty,
        "docs_without_text_judged": sorted(judged_empty),
        "read_problems": list(report.problems),
        "judged_docs_not_in_collection": len(judged_missing),
        "queries_in_file": len(collection.queries),
        "queries": len(per_query),
        "ndcg@10": _mean(q["ndcg@10"] for q in per_query),
        "ndcg@10_binary": _mean(q["ndcg@10_binary"] for q in per_query),
        "map@100": _mean(q["ap@100"] for q in per_query),
        "build_s": round(build_s, 2),
        "query_ms": round(_mean(took), 2),
        "with_syntax": sum(q["syntax"] for q in per_query),
        "with_notices": sum(bool(q["notices"]) for q in per_query),
        "truncated": sum(q["truncated"] for q in per_query),
        "query_limit": limit,
        "peers": peers,
        "target": round(max(peers.values()) + MARGIN, 3) if peers else None,
        "parsing": collection.notes,
        "per_query": per_query,
    }


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return float(np.mean(values)) if values else 0.0


# --- output -------------------------------------------------------------------------------------


def print_table(results: list[dict[str, Any]], worst: int) -> None:
    head = ["collection", "docs", "queries", "nDCG@10", "binary", "MAP@100", "build s", "query ms"]
    head += [*PEER_NAMES.values(), "target", "gap", "gap binary"]
    rows = []
    for r in results:
        peers, target = r["peers"], r["target"]
        row = [r["collection"], f"{r['docs']:,}", str(r["queries"])]
        row += [f"{r[k]:.3f}" for k in ("ndcg@10", "ndcg@10_binary", "map@100")]
        row += [f"{r['build_s']:.1f}", f"{r['query_ms']:.1f}"]
        row += [f"{peers[k]:.3f}" if k in peers else "-" for k in PEER_NAMES]
        if target is None:
            row += ["-", "-", "-"]
        else:
            row += [f"{target:.3f}", f"{r['ndcg@10'] - target:+.3f}"]
            row += [f"{r['ndcg@10_binary'] - target:+.3f}"]
        rows.append(row)
    widths = [max(len(line[i]) for line in [head, *rows]) for i in range(len(head))]
    for line in [head, *rows]:
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        print("  ".join(cells))
    print()
    print(
        "nDCG@10 is graded where the collection has grades (CRAN), 'binary' counts every "
        "relevant document as gain 1; gap = nDCG@10 - target (best peer + 0.01)."
    )
    for r in results:
        print(
            f"{r['collection']} ({r['mode']}): {r['with_syntax']} of {r['queries']} queries hold "
            f"query syntax, {r['with_notices']} came back with notices, "
            + (
                f"{r['truncated']} cut to the web layer's {r['query_limit']} characters; "
                if r["query_limit"]
                else "none cut (no query length limit); "
            )
            + f"{r['docs_without_text']} documents without text left out "
            f"({len(r['docs_without_text_judged'])} of them judged relevant)"
        )
        for q in sorted(r["per_query"], key=lambda q: q["ndcg@10"])[:worst]:
            print(f"    worst: q{q['query']} nDCG@10 {q['ndcg@10']:.3f}  {q['text'][:80]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections", nargs="+", default=list(READERS), choices=list(READERS))
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument("--work", type=Path, help="keep the JSON Lines and indexes here")
    parser.add_argument("--plain", action="store_true", help="send only the queries' words")
    parser.add_argument("--corpus", type=Path, default=IRCOLL, help="the ircoll folder")
    parser.add_argument("--workers", type=int, default=1, help="build processes (default 1)")
    parser.add_argument("--worst", type=int, default=3, help="worst queries listed per collection")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsdex-relevance-") as tmp:
        work = args.work or Path(tmp)
        results = []
        for name in args.collections:
            folder_name, files, read = READERS[name]
            folder = args.corpus / folder_name
            missing = [f for f in files if not (folder / f).is_file()]
            if missing:
                print(f"skipping {name}: missing {', '.join(missing)} in {folder}", file=sys.stderr)
                continue
            print(f"{name}: building and querying ...", file=sys.stderr)
            results.append(run_collection(read(folder), work, args.plain, args.workers))
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
    elif results:
        print_table(results, args.worst)
    return 0 if results else 1


if __name__ == "__main__":
    raise SystemExit(main())
