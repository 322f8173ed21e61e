"""What folding re-sent versions finds on Reuters-21578, and what it costs.

    .venv/bin/python bench/versions_eval.py                 # counts, timing, 12 sampled groups
    .venv/bin/python bench/versions_eval.py --sample 40 --seed 3

Reads the collection with newsdex's reader, folds copies as a build does, then runs
``search.ingest.versions.fold_versions`` and prints: the groups and stories folded; how many
groups the headline rule alone finds; how many have a reworded headline or span more than a
day; the CPU time (best of five); and a sample of groups whose first two leads differ, with
the words that differ, to check by eye that they are re-sends (docs/benchmarks.md, "Folding
re-sent versions").
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from difflib import SequenceMatcher
from pathlib import Path

from search.errors import SkippedFile
from search.ingest import stories, versions
from search.models import Story
from search.readers import read_file, walk

REUTERS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "reuters21578"


def folded_copies(corpus: Path) -> list[Story]:
    """The corpus's stories as ``stories.fold`` makes them, before versions fold."""
    pages = []
    for path in walk([corpus]):
        try:
            pages.extend(read_file(path, None).pages)
        except SkippedFile:  # the collection's README and lists
            continue
    groups = defaultdict(list)
    for sid, sighting in stories.sightings(pages, stories.Links.of(pages)):
        groups[sid].append(sighting)
    return [stories.merge(sid, groups[sid]) for sid in sorted(groups)]


def headline_rule_only(copies: list[Story]) -> int:
    """Groups found when a reworded headline never counts."""
    same_story = versions.same_story
    versions.same_story = lambda a, b: a.words()[0] == b.words()[0] and same_story(a, b)
    try:
        return versions.fold_versions(copies).groups
    finally:
        versions.same_story = same_story


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=REUTERS)
    parser.add_argument("--sample", type=int, default=12, help="groups to show")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    copies = folded_copies(args.corpus)
    seconds = []
    for _ in range(5):
        start = time.process_time()
        result = versions.fold_versions(copies)
        seconds.append(time.process_time() - start)
    by_id = {s.id: s for s in copies}
    grouped = [[by_id[v] for v, _ in s.versions] for s in result.stories if s.versions]
    reworded = sum(len({versions.words(v.title) for v in g}) > 1 for g in grouped)
    long = sum(g[-1].published - g[0].published > versions.SAME_DAY for g in grouped)
    print(f"{len(copies):,} stories: {result.groups:,} with versions, {result.folded:,} folded")
    print(f"headline rule alone: {headline_rule_only(copies):,} groups")
    print(f"reworded headlines: {reworded:,} groups; spanning over a day: {long:,}")
    print(f"fold_versions: {min(seconds):.3f} s CPU (best of 5)")

    differing = []
    for group in grouped:
        a, b = versions.lead(group[0].body), versions.lead(group[1].body)
        n = min(len(a), len(b))
        if a[:n] != b[:n]:
            differing.append((group, a[:n], b[:n]))
    print(f"\n{len(differing):,} groups whose first two leads differ; a sample:")
    random.seed(args.seed)
    for group, a, b in random.sample(differing, min(args.sample, len(differing))):
        ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
        diffs = [(" ".join(a[i:j]), " ".join(b[k:m])) for op, i, j, k, m in ops if op != "equal"]
        apart = group[1].published - group[0].published
        print(f"- {group[0].id} / {group[1].id}, {apart} apart: {group[0].title}")
        if group[1].title != group[0].title:
            print(f"  then: {group[1].title}")
        print(f"  differ: {diffs[:5]}")


if __name__ == "__main__":
    main()
