"""Clusters across outlets: quality on the fictional coverage, cost on Reuters-21578.

    python bench/clusters_eval.py [--reuters DIR]

Quality: pairwise precision and recall of ``search.ingest.clusters`` on
``tests/data/clusters/coverage.jsonl`` (the same event told by four outlets in their own words,
one wire copy carried by three, two unrelated stories that share a name, follow-ups with the
same names), and of the same linking over word-set Jaccard (what MinHash/LSH estimates) at
several thresholds, for the choice of measure. The TF-IDF cosine and Jaccard of every pair of
stories from different sources within the window are printed, highest first.

Cost: ``cluster_stories`` over the 20,984 folded Reuters stories as they are (one source: no
story is compared) and with their sources dealt round-robin to four fictional outlets (every
story compared: the worst case), in CPU seconds (best of 3), with the sizes of the clusters.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import replace
from itertools import combinations
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search.indexing.analysis import terms  # noqa: E402
from search.ingest import clusters, stories  # noqa: E402
from search.readers import read_file, walk  # noqa: E402

COVERAGE = ROOT / "tests" / "data" / "clusters" / "coverage.jsonl"
EXPECTED = [  # the events more than one outlet ran; every other story is alone
    {"ferry-gazette", "ferry-ledger", "ferry-coastline", "ferry-metro"},
    {"mine-ledger", "mine-courier", "mine-star"},
]


def pairs(groups) -> set[frozenset[str]]:
    return {frozenset(p) for g in groups for p in combinations(sorted(g), 2)}


def precision_recall(found, expected=EXPECTED) -> tuple[float, float]:
    """Pairwise: of the pairs put in one cluster, the share that are one event; of the pairs
    that are one event, the share put in one cluster."""
    got, want = pairs(found), pairs(expected)
    return len(got & want) / max(1, len(got)), len(got & want) / max(1, len(want))


def groups_of(result) -> list[set[str]]:
    out: dict[str, set[str]] = {}
    for s in result:
        if s.cluster:
            out.setdefault(s.cluster, set()).add(s.id)
    return list(out.values())


def quality() -> None:
    folded = stories.fold(read_file(COVERAGE).pages).stories
    plain = [replace(s, cluster=None, wire="") for s in folded]
    p, r = precision_recall(groups_of(clusters.cluster_stories(plain).stories))
    print(f"TF-IDF cosine >= {clusters.SIMILAR}: precision {p:.2f}, recall {r:.2f}")
    dated = sorted(plain, key=lambda s: (s.published, s.id))
    words = [set(terms(clusters._text(s))) for s in dated]
    scored = []
    for i, j in combinations(range(len(dated)), 2):
        a, b = dated[i], dated[j]
        if a.source != b.source and b.published - a.published <= clusters.WINDOW:
            scored.append((len(words[i] & words[j]) / len(words[i] | words[j]), i, j))
    for threshold in (0.1, 0.15, 0.2, 0.3, 0.5):
        links = [(i, j) for jac, i, j in sorted(scored, key=lambda x: x[1:]) if jac >= threshold]
        found = [{dated[i].id for i in m} for m in clusters._link(dated, links)]
        found = [g for g in found if len({s.source for s in dated if s.id in g}) > 1]
        p, r = precision_recall(found)
        print(f"Jaccard >= {threshold}: precision {p:.2f}, recall {r:.2f}")
    print("pairs from different sources within the window (Jaccard, then cosine):")
    cosines = dict(_cosines(dated))
    for jac, i, j in sorted(scored, reverse=True)[:14]:
        same = any({dated[i].id, dated[j].id} <= g for g in EXPECTED)
        print(
            f"  {jac:.3f} {cosines[(i, j)]:.3f} {'same' if same else 'other'} "
            f"{dated[i].id} / {dated[j].id}"
        )


def _cosines(dated):
    vectors = clusters.tfidf([terms(clusters._text(s)) for s in dated], clusters.MIN_COMMON)
    sims = (vectors @ vectors.T).toarray()
    return {(i, j): sims[i, j] for i, j in combinations(range(len(dated)), 2)}.items()


def cost(reuters: Path) -> None:
    pages = [p for f in walk([reuters]) if f.suffix == ".sgm" for p in read_file(f).pages]
    with mock.patch.object(stories, "cluster_stories", lambda s: clusters.ClusterResult(s, 0, 0)):
        folded = stories.fold(pages).stories
    fake = [replace(s, source=f"Outlet {n % 4}") for n, s in enumerate(folded)]
    for name, given in (("Reuters as it is (one source)", folded), ("four outlets", fake)):
        best, result = float("inf"), None
        for _ in range(3):
            start = time.process_time()
            result = clusters.cluster_stories(given)
            best = min(best, time.process_time() - start)
        assert result is not None
        sizes = Counter(Counter(s.cluster for s in result.stories if s.cluster).values())
        largest = max(sizes, default=0)
        print(
            f"{name}: {len(given):,} stories, {best:.2f} s CPU, {result.clusters:,} clusters "
            f"of {result.clustered:,} stories (sizes: {dict(sorted(sizes.items())[:4])}, "
            f"largest {largest})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reuters", type=Path, default=ROOT.parent / "shared" / "corpus" / "reuters21578"
    )
    args = parser.parse_args()
    quality()
    if args.reuters.is_dir():
        cost(args.reuters)


if __name__ == "__main__":
    main()
