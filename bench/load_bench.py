"""Web load benchmark: gunicorn on loopback over a Reuters-21578 index, searched by many clients.

    python bench/load_bench.py [--index DIR] [--clients 8 32] [--duration 20] [--no-rebuild]

1. Builds the index from ``../shared/corpus/reuters21578`` into a temporary folder (or uses
   ``--index``); the corpus is only read.
2. Makes a mix of real queries: words from the titles of stories in the index, some with a
   topic filter, a month of dates, newest-first order or page 2; most sent as htmx requests
   for the ``#results`` fragment (what typing in the page sends), the rest as full pages.
3. Starts gunicorn with the repository's ``gunicorn.conf.py`` on a free loopback port, warms
   it up, then runs each number of concurrent clients for ``--duration`` seconds. The
   clients are threads of this process (keep-alive ``http.client`` connections), a second
   process beside gunicorn's.
4. Rebuild: with 8 clients searching, runs ``newsdex build`` over the same corpus into the
   live index folder and reports failed requests and how long after the switch every worker
   answered from the new generation (the ``X-Newsdex-Generation`` header of each search, and
   ``/healthz``).

Prints a Markdown table for ``docs/benchmarks.md`` (``--json`` for the raw numbers).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
REUTERS = ROOT.parent / "shared" / "corpus" / "reuters21578"
NEWSDEX = Path(sys.executable).with_name("newsdex")
HX = {"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": "http://bench/search"}
COMMON = set(
    "about after again against also among amid back been before being between could during "
    "each from have into last more most much next only other over said same says since some "
    "such than that their them then there these they this those through under until very "
    "were what when where which while will with would year years week first says reuters "
    "corp inc ltd co".split()
)


@dataclass(frozen=True)
class Probe:
    path: str
    fragment: bool


@dataclass
class Sample:
    started: float
    seconds: float
    status: int
    generation: str = ""


@dataclass
class Run:
    label: str
    clients: int
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        ok = [s.seconds for s in self.samples if s.status == 200]
        failed = len(self.errors) + sum(1 for s in self.samples if s.status != 200)
        ok.sort()
        return {
            "run": self.label,
            "clients": self.clients,
            "requests": len(self.samples) + len(self.errors),
            "per_second": round(len(self.samples) / self.seconds, 1),
            "p50_ms": _percentile(ok, 0.50),
            "p95_ms": _percentile(ok, 0.95),
            "p99_ms": _percentile(ok, 0.99),
            "max_ms": round(ok[-1] * 1000, 1) if ok else None,
            "failed": failed,
            "statuses": sorted({s.status for s in self.samples}),
        }


def _percentile(sorted_seconds: list[float], q: float) -> float | None:
    if not sorted_seconds:
        return None
    index = max(0, math.ceil(q * len(sorted_seconds)) - 1)
    return round(sorted_seconds[index] * 1000, 1)


# --- the query mix ------------------------------------------------------------------------------


def make_probes(index: Path, count: int, seed: int) -> list[Probe]:
    """Searches made of title words from the index, with facets, dates, order and paging."""
    from search.models import SearchRequest
    from search.searching.engine import Engine

    rng = random.Random(seed)
    engine = Engine(index)
    try:
        first = engine.search(SearchRequest(per_page=100))
        pages = min(first.pages, 200)
        titles = []
        for page in rng.sample(range(1, pages + 1), min(pages, 12)):
            titles += [h.title for h in engine.search(SearchRequest(page=page, per_page=100)).hits]
        topics = [f.value for f in first.facets["topic"][:8]]
        periods = [(b.start, b.end) for b in first.histogram.buckets if b.count]
    finally:
        engine.close()
    words = [
        [w for w in re.findall(r"[a-z]{4,}", title.lower()) if w not in COMMON] for title in titles
    ]
    words = [w for w in words if w]
    probes = []
    for _ in range(count):
        picked = rng.choice(words)
        q = " ".join(rng.sample(picked, min(len(picked), rng.choice((1, 1, 2)))))
        params: list[tuple[str, str]] = [("q", q)]
        roll = rng.random()
        if roll < 0.2 and topics:
            params.append(("topic", rng.choice(topics)))
        elif roll < 0.3 and periods:
            start, end = rng.choice(periods)  # a bar of the timeline
            last = end - timedelta(days=1)
            params += [("from", start.isoformat()), ("to", last.isoformat())]
        elif roll < 0.4:
            params.append(("sort", "newest"))
        elif roll < 0.5:
            params.append(("page", "2"))
        probes.append(Probe("/search?" + urlencode(params), fragment=rng.random() < 0.7))
    return probes


# --- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(index: Path, port: int, log: Path, flags: list[str]) -> subprocess.Popen:
    """gunicorn with the repository's config (``flags`` override it) on ``port``."""
    env = {**os.environ, "NEWSDEX_INDEX_DIR": str(index)}
    config = str(ROOT / "gunicorn.conf.py")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", config, "-b", f"127.0.0.1:{port}", *flags],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()}")
        try:
            if healthz(port)["ok"]:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"gunicorn not ready in 60 s:\n{log.read_text()}")


def healthz(port: int) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


# --- the clients ----------------------------------------------------------------------------------


def load(
    port: int,
    probes: list[Probe],
    clients: int,
    seconds: float,
    label: str,
    stop: threading.Event | None = None,
) -> Run:
    """``clients`` keep-alive connections, each sending the next search as soon as it has
    the answer to the last, for ``seconds`` or until ``stop`` is set."""
    run = Run(label, clients, seconds)
    lock = threading.Lock()
    began = time.perf_counter()
    deadline = began + seconds
    stop = stop or threading.Event()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        position = number * len(probes) // clients
        samples, errors = [], []
        while time.perf_counter() < deadline and not stop.is_set():
            probe = probes[position % len(probes)]
            position += 1
            started = time.perf_counter()
            try:
                connection.request("GET", probe.path, headers=HX if probe.fragment else {})
                response = connection.getresponse()
                response.read()
                took = time.perf_counter() - started
                generation = response.getheader("X-Newsdex-Generation", "")
                samples.append(Sample(started, took, response.status, generation))
            except (OSError, http.client.HTTPException) as err:
                errors.append(f"{probe.path}: {type(err).__name__}: {err}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.close()
        with lock:
            run.samples += samples
            run.errors += errors

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - began
    return run


def rebuild_under_load(port: int, index: Path, corpus: Path, probes: list[Probe]) -> dict:
    """Search with 8 clients while ``newsdex build`` replaces the live generation."""
    before = healthz(port)["generation"]
    pointer = index / "CURRENT"
    seen: dict[str, float] = {}
    health: list[tuple[float, str]] = []
    done = threading.Event()

    def watch_pointer() -> None:  # when CURRENT names a new generation: the switch
        while not done.is_set():
            try:
                live = pointer.read_text().strip()
            except OSError:
                live = ""
            if live and live not in seen:
                seen[live] = time.perf_counter()
            time.sleep(0.002)

    def watch_healthz() -> None:  # what /healthz says (it queues behind the searches)
        while not done.is_set():
            asked = time.perf_counter()
            try:
                health.append((asked, healthz(port)["generation"]))
            except OSError:
                health.append((asked, "error"))
            time.sleep(0.05)

    runs: list[Run] = []
    enough = threading.Event()
    watchers = [threading.Thread(target=watch_pointer), threading.Thread(target=watch_healthz)]
    for watcher in watchers:
        watcher.start()
    searching = threading.Thread(
        target=lambda: runs.append(load(port, probes, 8, 600, "rebuild", stop=enough))
    )
    searching.start()
    time.sleep(2)  # searching before the build starts
    started = time.perf_counter()
    build = subprocess.run(
        [str(NEWSDEX), "build", str(corpus), "--index", str(index), "--quiet"],
        capture_output=True,
        text=True,
    )
    build_took = time.perf_counter() - started
    time.sleep(8)  # and for a while after the switch
    enough.set()
    searching.join()
    done.set()
    for watcher in watchers:
        watcher.join()
    if build.returncode != 0:
        raise SystemExit(f"newsdex build failed:\n{build.stdout}\n{build.stderr}")
    run = runs[0]
    after = [name for name in seen if name != before]
    if not after:
        raise SystemExit("the build finished but CURRENT never changed")
    new = after[-1]
    swapped = seen[new]
    old_after_swap = [
        s.started for s in run.samples if s.generation == before and s.started > swapped
    ]
    first_new = min(
        (s.started + s.seconds for s in run.samples if s.generation == new), default=None
    )
    # /healthz: asked after the switch, and answered from the new index
    health_new = min((t for t, g in health if g == new and t >= swapped), default=None)
    asked_after = [t for t, g in health if t >= swapped]
    health_first = min(asked_after, default=None)
    around = [s.seconds for s in run.samples if abs(s.started - swapped) < 2]
    summary = run.summary()
    summary.update(
        {
            "build_s": round(build_took, 1),
            "generations": f"{before} -> {new}",
            "first_new_ms": round((first_new - swapped) * 1000) if first_new else None,
            # the last search that started after the switch and still got the old index
            "all_new_after_ms": round((max(old_after_swap) - swapped) * 1000)
            if old_after_swap
            else 0,
            # the first /healthz asked after the switch: which index answered it
            "healthz_first_after_switch": next((g for t, g in health if t == health_first), None),
            "healthz_new_after_ms": round((health_new - swapped) * 1000) if health_new else None,
            "max_ms_around_switch": round(max(around) * 1000, 1) if around else None,
            "healthz_errors": sum(1 for _, g in health if g == "error"),
        }
    )
    return summary


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REUTERS)
    parser.add_argument("--index", type=Path, help="use (and rebuild) this index folder")
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per run")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--probes", type=int, default=500)
    parser.add_argument("--no-rebuild", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--gunicorn", default="", help="extra gunicorn flags, e.g. '--workers 2 --threads 1'"
    )
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}")

    with tempfile.TemporaryDirectory(prefix="newsdex-load-") as scratch:
        index = args.index or Path(scratch) / "index"
        if not (index / "CURRENT").exists():
            print(f"building {index} from {args.corpus} ...", file=sys.stderr)
            subprocess.run(
                [str(NEWSDEX), "build", str(args.corpus), "--index", str(index), "--quiet"],
                check=True,
            )
        probes = make_probes(index, args.probes, seed=21578)
        port = free_port()
        log = Path(scratch) / "gunicorn.log"
        server = start_gunicorn(index, port, log, args.gunicorn.split())
        results = []
        try:
            load(port, probes, 8, args.warmup, "warm-up")
            for clients in args.clients:
                print(f"{clients} clients for {args.duration:.0f} s ...", file=sys.stderr)
                results.append(load(port, probes, clients, args.duration, "search").summary())
            if not args.no_rebuild:
                print("8 clients while newsdex build replaces the index ...", file=sys.stderr)
                results.append(rebuild_under_load(port, index, args.corpus, probes))
        finally:
            server.terminate()
            server.wait(timeout=30)
        lines = log.read_text().splitlines()
        problems = [line for line in lines if "ERROR" in line or "Traceback" in line]

    if args.json:
        print(json.dumps({"results": results, "server_log_problems": problems}, indent=2))
        return
    print(
        "| run | clients | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | failed | load |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['run']} | {r['clients']} | {r['requests']:,} | {r['per_second']} "
            f"| {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['failed']} |"
        )
    for r in results:
        if r["run"] == "rebuild":
            print(
                f"\nrebuild: {r['generations']} in {r['build_s']} s; first answer from the new "
                f"index {r['first_new_ms']} ms after the switch; the last search that started "
                f"after it and still got the old index: {r['all_new_after_ms']} ms; first "
                f"/healthz asked after it answered {r['healthz_first_after_switch']} "
                f"({r['healthz_errors']} /healthz errors); slowest search within 2 s of the "
                f"switch: {r['max_ms_around_switch']} ms"
            )
    if problems:
        print("\nserver log problems:\n" + "\n".join(problems[:20]))


if __name__ == "__main__":
    main()
