"""Full-build benchmark: ``newsdex build`` against a plain Whoosh 2.7.4 build, in one run.

    python bench/build_bench.py [CORPUS ...] [--no-baseline]

Each build runs as its own process (the baseline too, so neither warms the other's caches);
the peak memory is the PSS of the whole process tree (the indexer forks workers), sampled
from /proc every 250 ms (reading smaps costs CPU the build would use). The plain baseline is
what WHOOSH.md measured: the default writer, a ``StemmingAnalyzer`` on title and body, stored
fields, pages parsed by newsdex's own readers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REUTERS = ROOT.parent / "shared" / "corpus" / "reuters21578"

BASELINE = r"""
import sys
from pathlib import Path
from whoosh import fields, index
from whoosh.analysis import StemmingAnalyzer
from search.readers import read_file, walk
from search.errors import SkippedFile

schema = fields.Schema(
    id=fields.ID(stored=True, unique=True),
    title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
    body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
    source=fields.ID(stored=True),
    topics=fields.KEYWORD(stored=True, commas=True),
    published=fields.DATETIME(stored=True, sortable=True),
)
ix = index.create_in(sys.argv[1], schema)
writer = ix.writer()
n = 0
for path in walk([Path(p) for p in sys.argv[2:]]):
    try:
        pages = read_file(path).pages
    except SkippedFile:
        continue
    for page in pages:
        for i, raw in enumerate(([page.article] if page.article else []) + list(page.teasers)):
            writer.add_document(id=raw.id or f"{page.location}#{i}", title=raw.title,
                                body=raw.body, source=raw.source, topics=",".join(raw.topics),
                                **({"published": raw.published} if raw.published else {}))
            n += 1
writer.commit()
print(n, "stories")
"""


def tree_memory_kib(root: int) -> int:
    """Proportional set size (PSS) of ``root`` and all its descendants, in KiB.

    PSS splits each shared page among the processes sharing it, so forked workers' inherited
    memory is counted once, not once per worker as a sum of RSS would.
    """
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss_kib(pid)
        todo.extend(children.get(pid, []))
    return total


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def timed(cmd: list[str], name: str) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds, peak tree PSS (KiB) and stdout of ``cmd``.

    CPU seconds are those of the whole tree (user and system, workers included): on a shared
    machine they move much less than wall time when other work competes for the cores.
    """
    # The machine is shared: a load well above zero before a build means its time is suspect.
    print(f"load average before the {name} build: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    start = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_memory_kib(proc.pid))
        time.sleep(0.25)
    out = proc.stdout.read()
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed with exit code {proc.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return time.monotonic() - start, cpu, peak, out


def corpus_bytes(paths: list[Path]) -> int:
    return sum(
        f.stat().st_size
        for p in paths
        for f in (p.rglob("*") if p.is_dir() else [p])
        if f.is_file()
    )


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path, default=[REUTERS])
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    mb = corpus_bytes(args.corpus) / 1e6
    scratch = Path(tempfile.mkdtemp(prefix="newsdex-bench-"))
    rows = []
    try:
        index = scratch / "newsdex"
        cmd = [
            sys.executable,
            "-m",
            "search",
            "build",
            *map(str, args.corpus),
            "--index",
            str(index),
            "--json",
        ]
        seconds, cpu, peak, out = timed(cmd, "newsdex")
        report = json.loads(out)
        stories = report["stories"]
        phases = ", ".join(f"{name} {sec:.1f} s" for name, sec in report["phases"].items())
        rows.append(("newsdex build", seconds, cpu, peak, dir_size(index), stories))
        if not args.no_baseline:
            base = scratch / "plain"
            base.mkdir()
            seconds, cpu, peak, out = timed(
                [sys.executable, "-c", BASELINE, str(base), *map(str, args.corpus)], "plain"
            )
            stories = int(out.split()[0])
            rows.append(("plain Whoosh 2.7.4", seconds, cpu, peak, dir_size(base), stories))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"corpus: {', '.join(map(str, args.corpus))} ({mb:.1f} MB), {os.cpu_count()} cores")
    print(
        "| build | seconds | CPU seconds | stories/s | MB/s | peak memory (PSS) | index size "
        "| stories |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, seconds, cpu, peak, size, stories in rows:
        print(
            f"| {name} | {seconds:.1f} | {cpu:.1f} | {stories / seconds:,.0f} | "
            f"{mb / seconds:.2f} | {peak / 1024:.0f} MiB | {size / 1e6:.0f} MB | {stories:,} |"
        )
    print(f"newsdex phases: {phases}")
    if len(rows) == 2:
        print(f"speed-up: {rows[1][1] / rows[0][1]:.1f}x wall, {rows[1][2] / rows[0][2]:.1f}x CPU")


if __name__ == "__main__":
    main()
