"""Peak memory and time of exporting every match (``newsdex search --all``), by how many
stories match: flat memory means the peak stays where it is as the rows grow.

    .venv/bin/python bench/export_bench.py --index /tmp/reuters-index      # an index built
    .venv/bin/python bench/export_bench.py                                 # builds Reuters first

Each case runs ``newsdex search ... --all --format F`` in a child process of its own (this
script with ``--child``), writing to /dev/null, and reports its wall time, its peak resident
set (``ru_maxrss``), and the peak of its anonymous memory (``RssAnon`` in /proc, sampled
every 2 ms: the heap, without the pages of index files Whoosh maps, which the kernel shares
and may drop). The first row is an ordinary search (one page of hits), the baseline an export
should stay near; the cases widen the dates from one week of Reuters-21578 to all of it, for
every story and for the matches of a common word, with snippets (docs/benchmarks.md, "Export:
every match with flat memory").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REUTERS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "reuters21578"

WEEK = ["--from", "1987-03-02", "--to", "1987-03-08"]
MARCH = ["--from", "1987-03-01", "--to", "1987-03-31"]
CASES = [
    ("one page of hits (not an export)", []),
    ("every story of 2-8 March 1987", [*WEEK, "--all"]),
    ("every story of March 1987", [*MARCH, "--all"]),
    ("every story", ["--all"]),
    ("'said': one page of hits (not an export)", ["said"]),
    ("'said' in 2-8 March 1987", ["said", *WEEK, "--all"]),
    ("'said' in March 1987", ["said", *MARCH, "--all"]),
    ("'said': every match", ["said", "--all"]),
]


def _status(name: str) -> int:
    """A ``/proc/self/status`` value in KiB (0 where /proc has none)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def child(args: list[str]) -> None:
    """Run ``newsdex search ARGS`` here, stdout to /dev/null; write the peaks as JSON to the
    file descriptor named by ``$EXPORT_BENCH_FD``."""
    from search.cli import cli

    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.002):
            peak[0] = max(peak[0], _status("RssAnon"))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with open(os.devnull, "w") as sink:
        sys.stdout = sink
        try:
            cli.main(args=args, standalone_mode=False)
        finally:
            sys.stdout = sys.__stdout__
    done.set()
    sampler.join()
    peak[0] = max(peak[0], _status("RssAnon"))
    report = {"anon_peak_kib": peak[0], "file_kib": _status("RssFile")}
    with os.fdopen(int(os.environ["EXPORT_BENCH_FD"]), "w") as out:
        out.write(json.dumps(report))


def run(index: Path, args: list[str], fmt: str) -> dict:
    """Seconds, peak RSS and peak anonymous memory (MiB), and the lines written."""
    command = ["search", "--index", str(index), *args]
    if "--all" in args:
        command += ["--format", fmt]
    read, write = os.pipe()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        pass_fds=(write,),
        env={**os.environ, "EXPORT_BENCH_FD": str(write)},
    )
    os.close(write)
    report = json.loads(os.fdopen(read).read() or "{}")
    stderr = process.stderr.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0 or not report:
        raise SystemExit(f"failed: {' '.join(command)}\n{stderr}")
    rows = stderr.strip().splitlines()[-1].split()[0] if "--all" in args else "10 hits"
    return {
        "seconds": seconds,
        "rss": usage.ru_maxrss / 1024,
        "anon": report["anon_peak_kib"] / 1024,
        "file": report["file_kib"] / 1024,
        "rows": rows,
    }


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        return child(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="An index (default: build Reuters-21578).")
    parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    parser.add_argument("--repeat", type=int, default=3, help="Runs per case (best time kept).")
    args = parser.parse_args()
    index = args.index
    if index is None:
        index = Path(tempfile.mkdtemp(prefix="newsdex-export-")) / "index"
        subprocess.run(
            [sys.executable, "-m", "search", "build", str(REUTERS), "--index", str(index), "-q"],
            check=True,
        )
    print(
        "| case | rows | seconds | peak RSS (MiB) | peak heap (MiB) | index pages mapped (MiB) |"
        "\n| --- | ---: | ---: | ---: | ---: | ---: |"
    )
    for name, case in CASES:
        runs = [run(index, case, args.format) for _ in range(args.repeat)]
        seconds = min(r["seconds"] for r in runs)
        rss, anon = max(r["rss"] for r in runs), max(r["anon"] for r in runs)
        file = max(r["file"] for r in runs)
        print(
            f"| {name} | {runs[0]['rows']} | {seconds:.2f} | {rss:.0f} | {anon:.1f} | {file:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
