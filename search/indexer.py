"""Build and update: files to pages to stories to a new Whoosh generation, switched in atomically.

Both run in three steps. Reading: every core parses files into pages. Folding: one process
folds the pages into stories (it needs them all). Writing: every core analyses a share of the
stories, assigns their topics and writes its own Whoosh segment; the parent then commits one
table of contents naming all the segments. The workers are forked after folding, so they
inherit the stories instead of being sent them.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index

from search import __version__
from search.errors import SkippedFile
from search.generations import READERS_LOCK, IndexDir, held_writer_locks
from search.manifest import (
    BUILD_INFO,
    MANIFEST,
    FileEntry,
    Manifest,
    fingerprint,
    load_build_info,
    save_build_info,
)
from search.models import Story
from search.progress import Progress
from search.readers import read_file, walk
from search.schema import INDEX_NAME, StorySchema, analyse, story_to_document
from search.segment_writer import BulkSegmentWriter
from search.stories import fold

if TYPE_CHECKING:
    from search.topics import Taxonomy

WRITER_MEMORY_MB = 256
"""Posting pool size per writing process before Whoosh spills runs to disk."""
_SMALL_JOB = 200
"""Below this many stories writing runs in-process: forking would cost more."""
_PR_SET_PDEATHSIG = 1
_SMALL_READ = 2_000_000
"""Below this many bytes of input, reading runs in-process."""


@dataclass(slots=True)
class IndexReport:
    """What a build or update did, for the summary line and ``--json``."""

    action: str
    index: str
    generation: str | None = None
    files_seen: int = 0
    files_read: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    stories: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    written: int = 0
    deleted: int = 0
    seconds: float = 0.0
    published: bool = False
    kept_in_use: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds spent reading, folding and writing."""

    @property
    def skip_counts(self) -> dict[str, int]:
        return dict(Counter(s.reason for s in self.skipped))


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def build(paths: Sequence[Path], index_dir: Path, **options: Any) -> IndexReport:
    """Index everything under ``paths`` into a new generation and make it live.

    Options (keyword only): ``taxonomy`` (required), ``crawled_at``, ``workers``, ``strict``,
    ``progress``; see ``_run``.
    """
    return _run("build", paths, index_dir, **options)


def update(paths: Sequence[Path], index_dir: Path, **options: Any) -> IndexReport:
    """Apply what changed under ``paths`` since the live generation; same result as a build.

    Takes the same options as ``build``.
    """
    return _run("update", paths, index_dir, **options)


def _run(
    action: str,
    paths: Sequence[Path],
    index_dir: Path,
    *,
    taxonomy: Taxonomy,
    crawled_at: datetime | None = None,
    workers: int | None = None,
    strict: bool = False,
    progress: bool = True,
) -> IndexReport:
    """``crawled_at``: the time relative ages are resolved against (default: each file's
    mtime); ``strict``: any skipped file leaves the live index unchanged; ``progress``: show
    progress on stderr."""
    start = time.monotonic()
    index = IndexDir(index_dir)
    report = IndexReport(action, str(index_dir))
    workers = workers or default_workers()
    with index.writing():
        old = Manifest()
        live = None
        if action == "update":
            live = index.current()
            old = Manifest.load(live.path)
        files = list(walk(list(paths)))
        report.files_seen = len(files)
        entries, changed = _read_changed(files, old, crawled_at, workers, progress)
        report.phases["read"] = time.monotonic() - start
        report.files_read = len(changed)
        report.files_unchanged = len(files) - len(changed)
        report.files_removed = len(old.files.keys() - set(entries))
        for name in sorted(changed):
            entry = entries[name]
            if entry.skipped:
                report.skipped.append(SkippedFile(name, *entry.skipped))
            report.problems.extend(entry.problems)

        folded = fold(page for entry in entries.values() for page in entry.pages)
        report.duplicates = folded.duplicates
        report.stories = len(folded.stories)
        report.kinds = dict(Counter(s.kind for s in folded.stories))
        tax = taxonomy.fingerprint()
        fingerprints = {s.id: fingerprint(s, tax) for s in folded.stories}
        stale = [sid for sid, fp in old.fingerprints.items() if fingerprints.get(sid) != fp]
        fresh = [s for s in folded.stories if old.fingerprints.get(s.id) != fingerprints[s.id]]
        report.deleted, report.written = len(stale), len(fresh)
        report.phases["fold"] = time.monotonic() - start - report.phases["read"]

        if not folded.stories or (strict and report.skipped):
            report.seconds = time.monotonic() - start
            return report
        if action == "update" and not (changed or report.files_removed or stale or fresh):
            report.generation = live.name
            report.seconds = time.monotonic() - start
            return report

        partial = index.new_partial()
        if live is not None:
            _link_whoosh_files(live.path, partial)
        else:
            whoosh_index.create_in(str(partial), StorySchema(), indexname=INDEX_NAME)
        mark = time.monotonic()
        _write(partial, fresh, stale, taxonomy, workers, progress)
        report.phases["write"] = time.monotonic() - mark
        Manifest(entries, fingerprints).save(partial)
        save_build_info(partial, _build_info(action, paths, crawled_at, taxonomy, report, live))
        report.generation = index.publish(partial).name
        report.published = True
        report.kept_in_use = index.clean()
    report.seconds = time.monotonic() - start
    return report


def _read_changed(
    files: list[Path],
    old: Manifest,
    crawled_at: datetime | None,
    workers: int,
    progress: bool,
) -> tuple[dict[str, FileEntry], set[str]]:
    """Entries for every file, reading only those that are new or changed since ``old``."""
    entries: dict[str, FileEntry] = {}
    todo = []
    for path in files:
        name = str(path)
        known = old.files.get(name)
        if known is not None and not known.skipped and known.crawled_at == crawled_at:
            try:
                st = path.stat()
            except OSError:
                st = None
            if st is not None and (st.st_size, st.st_mtime_ns) == (known.size, known.mtime_ns):
                entries[name] = known
                continue
        todo.append(path)
    jobs = [(p, crawled_at) for p in todo]
    small = len(jobs) < 2 or sum(_size(p) for p in todo) < _SMALL_READ
    with Progress(len(jobs), "reading", "files", enabled=progress) as bar:
        for name, entry in _map(
            _read_one, jobs, 1 if small else workers, 1 if len(jobs) < 500 else 8
        ):
            entries[name] = entry
            bar.advance()
    return entries, {str(p) for p in todo}


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_one(path: Path, crawled_at: datetime | None) -> tuple[str, FileEntry]:
    name = str(path)
    try:
        st = path.stat()
        entry = FileEntry(st.st_size, st.st_mtime_ns, crawled_at)
    except OSError:
        entry = FileEntry(0, 0, crawled_at)
    try:
        result = read_file(path, crawled_at)
    except SkippedFile as skip:
        entry.skipped = (skip.reason, skip.detail)
        return name, entry
    except Exception as err:  # a reader bug must cost one file, not the build
        entry.skipped = ("reader error", f"{type(err).__name__}: {err}")
        return name, entry
    entry.pages = result.pages
    entry.problems = result.problems
    if not any(p.article or p.teasers for p in result.pages):
        entry.skipped = ("no stories", "; ".join(result.problems))
    return name, entry


def _map(fn: Any, jobs: list[tuple], workers: int, chunksize: int) -> Iterable[Any]:
    """``fn(*job)`` for each job, on ``workers`` forked processes (in-process for one)."""
    if workers <= 1:
        for job in jobs:
            yield fn(*job)
        return
    with multiprocessing.get_context("fork").Pool(workers, initializer=_init_worker) as pool:
        yield from pool.imap_unordered(_star, [(fn, job) for job in jobs], chunksize)


def _star(item: tuple[Any, tuple]) -> Any:
    fn, args = item
    return fn(*args)


# The stories to write, set before the writing workers fork so that they inherit them.
_TO_WRITE: list[Story] = []


def _write(
    folder: Path,
    stories: list[Story],
    stale: list[str],
    taxonomy: Taxonomy,
    workers: int,
    progress: bool,
) -> None:
    """Write ``stories`` as new segments and delete ``stale`` ids, in one commit."""
    global _TO_WRITE
    ix = whoosh_index.open_dir(str(folder), indexname=INDEX_NAME)
    writer = BulkSegmentWriter(ix)
    for sid in stale:
        writer.delete_by_term("id", sid)
    shares = _shares(stories, workers if len(stories) > _SMALL_JOB else 1)
    _TO_WRITE = stories
    counter = multiprocessing.get_context("fork").Value("l", 0)
    segments = []
    try:
        with Progress(len(stories), "indexing", "stories", enabled=progress) as bar:
            if len(shares) == 1:
                segments = [_write_share(str(folder), *shares[0], taxonomy, None)]
                bar.advance(len(stories))
            else:
                segments = _write_in_parallel(folder, shares, taxonomy, counter, bar)
    finally:
        _TO_WRITE = []
    # The commit of Whoosh's MpWriter with multisegment=True: the merge policy may fold small
    # segments into this writer's own new segment; the workers' segments are added as they are.
    final = writer._merge_segments(None, False, True)
    final.extend(s for s in segments if s is not None)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final)
    writer._finish()


def _write_in_parallel(folder, shares, taxonomy, counter, bar) -> list[Any]:
    ctx = multiprocessing.get_context("fork")
    # Everything the parent holds is inherited copy-on-write; frozen, the workers' garbage
    # collector leaves it alone instead of touching (and so copying) every page of it.
    gc.freeze()
    try:
        return _run_writers(ctx, folder, shares, taxonomy, counter, bar)
    finally:
        gc.unfreeze()


def _run_writers(ctx, folder, shares, taxonomy, counter, bar) -> list[Any]:
    with ctx.Pool(len(shares), initializer=_init_worker, initargs=(counter,)) as pool:
        pending = [
            pool.apply_async(_write_share, (str(folder), lo, hi, taxonomy, True))
            for lo, hi in shares
        ]
        while not all(p.ready() for p in pending):
            time.sleep(0.2)
            bar.advance(counter.value - bar.done)
        segments = [p.get() for p in pending]
        bar.advance(counter.value - bar.done)
    return segments


_counter = None


def _init_worker(counter: Any = None) -> None:
    """Make a forked worker safe to orphan: it dies with its parent and holds no lock."""
    global _counter
    _counter = counter
    # A writer builds millions of small acyclic objects (postings); each full collection
    # would walk all of them again. The worker is short-lived: leave cycles to its exit.
    gc.disable()
    for fd in list(held_writer_locks):
        os.close(fd)
    held_writer_locks.clear()
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)


def _shares(stories: list[Story], workers: int) -> list[tuple[int, int]]:
    """Split ``stories`` into contiguous runs of about equal text, one per worker."""
    if not stories:
        return []
    sizes = [len(s.body) + len(s.teaser) + len(s.title) + 200 for s in stories]
    target = sum(sizes) / workers
    shares, lo, acc = [], 0, 0
    for i, size in enumerate(sizes):
        acc += size
        if acc >= target * (len(shares) + 1) and len(shares) < workers - 1:
            shares.append((lo, i + 1))
            lo = i + 1
    shares.append((lo, len(stories)))
    return [s for s in shares if s[1] > s[0]]


def _write_share(folder: str, lo: int, hi: int, taxonomy: Taxonomy, count: bool | None) -> Any:
    """Analyse stories ``lo:hi``, assign their topics and write them as one new segment."""
    ix = whoosh_index.open_dir(folder, indexname=INDEX_NAME)
    writer = BulkSegmentWriter(ix, _lk=False, limitmb=WRITER_MEMORY_MB)
    try:
        for n, story in enumerate(_TO_WRITE[lo:hi], 1):
            analysed = analyse(story)
            topics = taxonomy.assign(
                analysed["title"], analysed["teaser"] + analysed["body"], story.given_topics
            )
            doc = story_to_document(replace(story, topics=topics), analysed)
            writer.add_document(**doc)
            if count and n % 100 == 0:
                with _counter.get_lock():
                    _counter.value += 100
        if count:
            with _counter.get_lock():
                _counter.value += (hi - lo) % 100
        return writer._finalize_segment() if writer._added else None
    except BaseException:
        writer.cancel()
        raise


def _link_whoosh_files(src: Path, dst: Path) -> None:
    """Hard-link the live generation's Whoosh files into ``dst``: Whoosh never rewrites a
    file, so the new generation can change (delete, add, merge) without touching the old."""
    ours = {MANIFEST, BUILD_INFO, READERS_LOCK, f"{INDEX_NAME}_WRITELOCK"}
    for entry in src.iterdir():
        if entry.is_file() and entry.name not in ours:
            os.link(entry, dst / entry.name)


def _build_info(action, paths, crawled_at, taxonomy, report, live) -> dict[str, Any]:
    previous = load_build_info(live.path) if live is not None else {}
    return {
        "action": action,
        "built_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "first_built_at": previous.get("first_built_at")
        or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "paths": [str(Path(p).resolve()) for p in paths],
        "crawled_at": crawled_at.isoformat() if crawled_at else None,
        "taxonomy": getattr(taxonomy, "source", None),
        "newsdex_version": __version__,
        "files": report.files_seen,
        "stories": report.stories,
        "duplicates_folded": report.duplicates,
    }
