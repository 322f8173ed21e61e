"""Peak memory and time of exporting every match (``newsdex search --all``), by how many
stories match: flat memory means the peak stays where it is as the rows grow.

    .venv/bin/python bench/export_bench.py --index /tmp/reuters-index      # an index built
    .venv/bin/python bench/export_bench.py                                 # builds Reuters first

Each case runs ``python -m search search ... --all --format F`` in a child process writing to
/dev/null and reads the child's peak resident set (``ru_maxrss``) and wall time; the first
row is an ordinary search (one page of ten hits) in the same kind of process, the baseline
an export should stay near. The cases widen the dates from one week of Reuters-21578 to all
of it (docs/benchmarks.md, "Export: every match with flat memory").
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REUTERS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "reuters21578"

CASES = [
    ("one page of hits (not an export)", []),
    ("all of 1987-03-02..08", ["--from", "1987-03-02", "--to", "1987-03-08", "--all"]),
    ("all of March 1987", ["--from", "1987-03-01", "--to", "1987-03-31", "--all"]),
    ("all of Feb..Apr 1987", ["--from", "1987-02-01", "--to", "1987-04-30", "--all"]),
    ("every story", ["--all"]),
    ("every story matching 'said'", ["said", "--all"]),
]


def run(index: Path, args: list[str], fmt: str) -> tuple[float, float, int]:
    """Seconds, peak RSS in MiB, and lines written, of one child process."""
    command = [sys.executable, "-m", "search", "search", "--index", str(index), *args]
    if "--all" in args:
        command += ["--format", fmt]
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed: {' '.join(command)}")
        out.seek(0)
        lines = sum(1 for _ in out)
    return seconds, usage.ru_maxrss / 1024, lines


def main() -> None:
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
    print("| case | rows | seconds | peak RSS (MiB) |\n| --- | ---: | ---: | ---: |")
    for name, case in CASES:
        runs = [run(index, case, args.format) for _ in range(args.repeat)]
        seconds = min(r[0] for r in runs)
        peak = max(r[1] for r in runs)
        rows = runs[0][2] - (1 if "--all" in case and args.format == "csv" else 0)
        shown = f"{rows:,}" if "--all" in case else "10 hits"
        print(f"| {name} | {shown} | {seconds:.2f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
