"""Extraction benchmark: newsdex's reading of HTML pages against bare ``trafilatura.extract``, and
memory while a big WARC streams through the reader.

    python bench/extract_bench.py [FOLDER ...] [--rounds 3] [--workers 2]
    python bench/extract_bench.py --warc 1G

Pages: every ``*.html``/``*.htm`` (gzipped too) under the folders (default: the demo's pages and
the test pages). Both sides run over the same pages in the same run, on ``--workers`` forked
processes as the indexer reads (``search.indexing.indexer._map``): newsdex is
``read_file(path)`` (read, decode, parse once, metadata, rails, captions, extraction, records);
the baseline reads the bytes and calls ``trafilatura.extract`` with the same settings
(``search.readers.html.EXTRACT``). The sides alternate round by round so that a busy neighbour
on the machine hits both alike.

``--warc SIZE`` writes a synthetic archive of that size in /tmp (the fictional pages under varied
URLs, each padded with a 100 kB inline script as real pages carry; deleted afterwards), then reads
it in a child process twice: streaming the pages and dropping them (the reader's own memory), and
through ``read_file`` (which hands back every page, as the indexer needs). The child's resident
memory is printed every tenth of the file and its peak at the end.
"""

from __future__ import annotations

import argparse
import gzip
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search.readers import read_file  # noqa: E402
from search.readers.html import EXTRACT  # noqa: E402

DEFAULT = [ROOT / "samples", ROOT / "tests" / "data" / "html"]


def html_files(folders: list[Path]) -> list[Path]:
    names = ("*.html", "*.htm", "*.html.gz", "*.htm.gz")
    return sorted({p for f in folders for n in names for p in f.rglob(n)})


def newsdex(path: Path) -> int:
    try:
        return sum(len(p.article.body) if p.article else 0 for p in read_file(path).pages)
    except Exception:  # a skipped page still cost its reading
        return 0


def bare(path: Path) -> int:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return len(trafilatura.extract(data, **EXTRACT) or "")


def timed(fn, paths: list[Path], workers: int) -> float:
    start = time.perf_counter()
    if workers <= 1:
        for path in paths:
            fn(path)
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            list(pool.imap_unordered(fn, paths, chunksize=4))
    return time.perf_counter() - start


def extraction(folders: list[Path], rounds: int, workers: int, repeat: int) -> None:
    paths = html_files(folders) * repeat
    print(f"{len(paths)} pages ({len(set(paths))} distinct), {workers} workers, {rounds} rounds")
    for fn in (newsdex, bare):  # warm up imports and caches in the parent before forking
        fn(paths[0])
    best = {"newsdex": float("inf"), "bare": float("inf")}
    for _ in range(rounds):
        best["newsdex"] = min(best["newsdex"], timed(newsdex, paths, workers))
        best["bare"] = min(best["bare"], timed(bare, paths, workers))
    for name, seconds in best.items():
        print(f"{name:8} {len(paths) / seconds:8.1f} pages/s  ({seconds:.2f} s, best of {rounds})")
    print(f"overhead: {best['newsdex'] / best['bare'] - 1:+.1%} (load {os.getloadavg()[0]:.1f})")


CHILD = r"""
import os, resource, sys
from datetime import datetime
from pathlib import Path
from search.readers import read_file, warc

path, mode = Path(sys.argv[1]), sys.argv[2]
size = path.stat().st_size

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

if mode == "stream":
    reading = warc._Reading(str(path), datetime(2025, 10, 20))
    pages, mark = 0, size / 10
    f = None
    for page in reading.pages(path):
        pages += 1
        if pages % 500 == 0:
            print(f"  {pages:7,} pages  RSS {rss_mb():7.1f} MB", flush=True)
else:
    pages = len(read_file(path, datetime(2025, 10, 20)).pages)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
print(f"{mode}: {pages:,} pages, peak RSS {peak:.0f} MB", flush=True)
"""


def warc_memory(size: str) -> None:
    from bench import warc_synth

    out = Path(tempfile.gettempdir()) / "newsdex-bench.warc.gz"
    start = time.perf_counter()
    count = warc_synth.write_big(out, warc_synth.parse_size(size), pad=100_000)
    print(f"{out}: {out.stat().st_size / 1e9:.2f} GB, {count:,} pages, written in "
          f"{time.perf_counter() - start:.0f} s")  # fmt: skip
    try:
        for mode in ("stream", "read_file"):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", CHILD, str(out), mode],
                check=True,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            print(f"  {mode} took {time.perf_counter() - start:.0f} s")
    finally:
        out.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=20, help="times each page is read")
    parser.add_argument("--warc", metavar="SIZE", help="measure memory on a WARC of SIZE")
    args = parser.parse_args()
    print(f"peak RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB")
    if args.warc:
        warc_memory(args.warc)
    else:
        extraction(args.folders, args.rounds, args.workers, args.repeat)


if __name__ == "__main__":
    main()
