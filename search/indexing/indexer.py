"""Build and update: files to pages to stories to a new Whoosh generation, switched in atomically.

Both run in three steps. Reading: every core parses files into pages. Folding: one process
folds the pages into stories (it needs them all), saves the manifest and pickles each writer's
share of the stories into the new generation's folder, then lets go of everything it read.
Writing: every core, forked then, reads its share back, analyses the stories, assigns their
topics and writes its own Whoosh segment; the parent commits one table of contents naming all
the segments. Nothing read is held twice: the parent frees it before forking, and a writer
holds its postings packed (``whoosh_private.pool``) instead of as Whoosh's tuples.

Before it reads, a build deletes the partial generations of builds that failed or were killed
and checks that the disk has room for what it is about to write; a build that fails for any
reason (a full disk included, in any process) deletes its own partial generation, so the space
is free again and the live generation stays as it was. The last step before publishing records
the generation's format and checksums (``index_format.write_format``)."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import gc
import multiprocessing
import operator
import os
import pickle
import shutil
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index

from search import __version__
from search.errors import DiskFull, IndexFormatError, SkippedFile
from search.indexing.generations import Generation, IndexDir, held_writer_locks
from search.indexing.index_format import check_format, whoosh_files, write_format
from search.indexing.manifest import (
    FileEntry,
    Manifest,
    fingerprint,
    load_build_info,
    save_build_info,
    save_changes,
)
from search.indexing.progress import Progress
from search.indexing.schema import INDEX_NAME, StorySchema, analyse, story_to_document
from search.indexing.whoosh_private.segment_writer import BulkSegmentWriter
from search.ingest.stories import fold
from search.models import Story
from search.readers import read_file, walk

if TYPE_CHECKING:
    from search.ingest.topics import Taxonomy

WRITER_MEMORY_MB = 256
"""Postings a writing process holds (``PackedPostings.size``) before it starts a new segment."""
_SMALL_JOB = 200
"""Below this many stories writing runs in-process: forking would cost more."""
_PR_SET_PDEATHSIG = 1
_SMALL_READ = 2_000_000
"""Below this many bytes of input, reading runs in-process."""

MAX_FILE_MB = 64
"""Files larger than this are skipped as ``too large``. Every reader reads a file whole and
holds about 14 times its size at the peak (a 200 MB page took 2.8 GB): 64 MiB is about 1 GB.
A reader that streams its input would be exempt; none does yet."""
LARGE_FILE_MB = 16
"""Files larger than this are read, with a warning in the report about their memory."""
TOO_LARGE = "too large"

SPACE_PER_INPUT_BYTE = 4.0
"""Disk a build needs per byte of input it reads, at its peak (measured on Reuters-21578:
28 MB of input, 52 MB of Whoosh files, a 22 MB manifest and ~20 MB of stories handed to the
writers). An update also counts the live generation's size, which a merge may rewrite."""
_SPACE_SLACK = 2**20
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


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
    rebuilt: str | None = None
    """Why an update wrote a whole new index instead of applying changes (old format, a
    manifest that cannot be used)."""
    large_files: list[str] = field(default_factory=list)
    """Files read that were over ``LARGE_FILE_MB``."""
    partials_removed: list[str] = field(default_factory=list)
    """Partial generations of earlier builds (failed or killed) deleted before starting."""
    space_needed: int = 0
    """The disk space (bytes) this run estimated it needs."""

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
    try:
        with index.writing():
            # The writer lock is ours: no partial generation is being written, so every one
            # on disk is a build that failed or was killed, holding space for nothing.
            report.partials_removed = index.remove_partials()
            live = index.current() if action == "update" else None
            try:
                base, old = _update_base(live, report) if live is not None else (None, Manifest())
                job = _prepare(
                    index, base, old, paths, crawled_at, taxonomy, workers, strict, progress, report
                )
                if job is not None:
                    # Everything read and folded is garbage now: give it back before forking.
                    _release_memory()
                    mark = time.monotonic()
                    _write(job, taxonomy, workers, progress)
                    report.phases["write"] += time.monotonic() - mark
                    info = _build_info(action, paths, crawled_at, taxonomy, report, live)
                    save_build_info(job.folder, info)
                    write_format(job.folder, base.path if base is not None else None)
                    report.generation = index.publish(job.folder).name
                    report.published = True
            except BaseException:
                index.remove_partials()  # ours, unfinished: give its space back now
                raise
            if report.published:
                report.kept_in_use = index.clean()
    except (OSError, sqlite3.Error) as err:
        if not _is_disk_full(err):
            raise
        raise DiskFull(_disk_full_message(index, report)) from err
    report.seconds = time.monotonic() - start
    return report


def _update_base(live: Generation, report: IndexReport) -> tuple[Generation | None, Manifest]:
    """The generation an update builds on and its manifest, or ``(None, empty)`` when it
    cannot be built on (another format, a manifest that cannot be used): then the update
    reads and writes everything, as a build would, and the report says why."""
    try:
        check_format(live.path)
    except IndexFormatError as err:
        report.rebuilt = f"{live.name} is in index format {err.found}, not {err.expected}"
        return None, Manifest()
    old = Manifest.load(live.path)
    if old.problem:
        report.rebuilt = f"the manifest of {live.name} cannot be used: {old.problem}"
        return None, Manifest()
    return live, old


def _is_disk_full(err: BaseException | None) -> bool:
    """Whether ``err`` or an error it was raised from is a full disk (or quota)."""
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, OSError) and err.errno in _DISK_FULL:
            return True
        if isinstance(err, sqlite3.Error) and (
            getattr(err, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
        ):
            return True
        err = err.__cause__ or err.__context__
    return False


def _disk_full_message(index: IndexDir, report: IndexReport) -> str:
    free = _free_bytes(index.path)
    needed = f", about {_mb(report.space_needed)} needed" if report.space_needed else ""
    try:
        serving = f"{index.current().name} stays live"
    except Exception:  # noqa: BLE001 (only for the message)
        serving = "no index was published"
    return (
        f"the disk holding {index.path} filled up during the {report.action} "
        f"({_mb(free)} free now{needed}); its partial generation was deleted and {serving}. "
        "Free some space (or give --index a folder on another disk) and run it again."
    )


def _free_bytes(path: Path) -> int:
    """Bytes free to this process on the file system holding ``path`` (or its nearest
    existing parent)."""
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return 0


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB" if n >= 10e6 else f"{n / 1e6:,.1f} MB"


def _check_space(index: IndexDir, report: IndexReport, input_bytes: int, base: Any) -> None:
    """Stop with ``DiskFull`` before anything is written when the build cannot fit."""
    needed = int(input_bytes * SPACE_PER_INPUT_BYTE) + _SPACE_SLACK
    if base is not None:
        needed += _folder_size(base.path)
    report.space_needed = needed
    free = _free_bytes(index.path)
    if needed > free:
        raise DiskFull(
            f"not enough disk space for the {report.action} of {index.path}: it needs about "
            f"{_mb(needed)} ({_mb(input_bytes)} to read, times {SPACE_PER_INPUT_BYTE:g}"
            + (", plus the live generation" if base is not None else "")
            + f"), {_mb(free)} are free. Free some space, or give --index a folder on "
            "another disk."
        )


def _folder_size(path: Path) -> int:
    try:
        return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    except OSError:
        return 0


@dataclass(slots=True)
class _WriteJob:
    """What the writing step needs once reading and folding are over: nothing read."""

    folder: Path
    """The new generation's folder (``.partial``)."""
    shares: list[tuple[Path, int]]
    """One file of pickled stories per writer, and how many stories it holds."""
    stale: list[str]
    """Ids whose documents are deleted."""


def _prepare(
    index: IndexDir,
    live: Generation | None,
    old: Manifest,
    paths: Sequence[Path],
    crawled_at: datetime | None,
    taxonomy: Taxonomy,
    workers: int,
    strict: bool,
    progress: bool,
    report: IndexReport,
) -> _WriteJob | None:
    """Read and fold; when there is something to write, make the new generation's folder,
    save its manifest and the stories to write into it, and say what to write.

    ``live``: the generation an update applies its changes to (``None``: write everything);
    ``old``: its manifest. ``None`` when nothing is to be published. The pages and stories
    live only in this call, so they are garbage by the time the writers fork.
    """
    start = time.monotonic()
    # walk() leaves out index folders by their layout; this index's own folder is left out
    # even before its first generation exists (when it holds only writer.lock).
    own = str(index.path.resolve()) + os.sep
    files = [f for f in walk(list(paths)) if not str(f).startswith(own)]
    report.files_seen = len(files)
    entries, todo = _unchanged(files, old, crawled_at)
    removed = old.files.keys() - {str(p) for p in files}
    sizes = [_size(p) for p in todo]
    readable = sum(n for n in sizes if n <= MAX_FILE_MB * 2**20)
    _check_space(index, report, readable, live if (todo or removed) else None)
    entries.update(_read(todo, sum(sizes), crawled_at, workers, progress))
    changed = {str(p) for p in todo}
    report.phases["read"] = time.monotonic() - start
    report.files_read = len(changed)
    report.files_unchanged = len(files) - len(changed)
    report.files_removed = len(removed)
    for name in sorted(changed):
        entry = entries[name]
        if entry.skipped:
            report.skipped.append(SkippedFile(name, *entry.skipped))
        elif entry.size > LARGE_FILE_MB * 2**20:
            report.large_files.append(name)
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
        return None
    if live is not None and not (changed or report.files_removed or stale or fresh):
        report.generation = live.name
        return None

    partial = index.new_partial()
    if live is not None:
        _link_whoosh_files(live.path, partial)
        save_changes(
            live.path,
            partial,
            {name: entries[name] for name in changed},
            removed,
            {s.id: fingerprints[s.id] for s in fresh},
            [sid for sid in stale if sid not in fingerprints],
        )
    else:
        whoosh_index.create_in(str(partial), StorySchema(), indexname=INDEX_NAME)
        Manifest(entries, fingerprints).save(partial)
    mark = time.monotonic()
    shares = _save_shares(partial, fresh, workers if len(fresh) > _SMALL_JOB else 1)
    report.phases["write"] = time.monotonic() - mark
    return _WriteJob(partial, shares, stale)


def _unchanged(
    files: list[Path], old: Manifest, crawled_at: datetime | None
) -> tuple[dict[str, FileEntry], list[Path]]:
    """The entries of ``old`` for files unchanged since (same size, time and ``crawled_at``),
    and the files to read. A file skipped last time and unchanged stays skipped: reading it
    again would give the same answer, and would make every update publish."""
    entries: dict[str, FileEntry] = {}
    todo = []
    texts: dict[str, str] = {}
    for path in files:
        name = str(path)
        known = old.files.get(name)
        if known is not None and known.crawled_at == crawled_at:
            try:
                st = path.stat()
            except OSError:
                st = None
            if st is not None and (st.st_size, st.st_mtime_ns) == (known.size, known.mtime_ns):
                _share_teaser_texts(known, texts)
                entries[name] = known
                continue
        todo.append(path)
    return entries, todo


def _read(
    todo: list[Path], size: int, crawled_at: datetime | None, workers: int, progress: bool
) -> dict[str, FileEntry]:
    """An entry for each file of ``todo`` (``size`` bytes in all), read on ``workers``."""
    entries: dict[str, FileEntry] = {}
    jobs = [(p, crawled_at) for p in todo]
    small = len(jobs) < 2 or size < _SMALL_READ
    texts: dict[str, str] = {}
    with Progress(len(jobs), "reading", "files", enabled=progress) as bar:
        for name, entry in _map(
            _read_one, jobs, 1 if small else workers, 1 if len(jobs) < 500 else 8
        ):
            _share_teaser_texts(entry, texts)
            entries[name] = entry
            bar.advance()
    return entries


def _share_teaser_texts(entry: FileEntry, texts: dict[str, str]) -> None:
    """Point the teasers on ``entry``'s pages at the strings of equal teasers read before.

    Each file is parsed in a worker (or decoded from the manifest) and arrives with its own
    copies: the same teaser shown on forty pages would be held forty times until folding.
    Only the objects change, never a value.
    """
    pages = []
    for page in entry.pages:
        if page.teasers:
            teasers = tuple(
                replace(
                    t,
                    title=texts.setdefault(t.title, t.title),
                    source=texts.setdefault(t.source, t.source),
                    body=texts.setdefault(t.body, t.body),
                )
                for t in page.teasers
            )
            page = replace(page, teasers=teasers)
        pages.append(page)
    entry.pages = pages


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
    if entry.size > MAX_FILE_MB * 2**20:
        entry.skipped = (
            TOO_LARGE,
            f"{entry.size / 2**20:,.0f} MiB; files over {MAX_FILE_MB} MiB are not read",
        )
        return name, entry
    try:
        result = read_file(path, crawled_at)
    except SkippedFile as skip:
        entry.skipped = (skip.reason, skip.detail)
        return name, entry
    except OSError as err:
        if err.errno in _DISK_FULL:
            raise
        entry.skipped = ("reader error", f"{type(err).__name__}: {err}")
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


_SHARE_FILE = "stories-{}.pickle"
_CHUNK = 256
"""Stories per pickle in a share file."""
# Stories travel as plain tuples: unpickling a frozen dataclass goes through a slow setstate.
_story_tuple = operator.attrgetter(*(f.name for f in fields(Story)))


def _save_shares(folder: Path, stories: list[Story], workers: int) -> list[tuple[Path, int]]:
    """Split ``stories`` into one run per writer and pickle each run to a file in ``folder``.

    The writers read their stories back from these files rather than inheriting them: a
    forked writer that touches an inherited object copies the memory page it sits on, and the
    stories are spread over most of the parent's heap.
    """
    out = []
    for n, (lo, hi) in enumerate(_shares(stories, workers)):
        path = folder / _SHARE_FILE.format(n)
        with open(path, "wb") as f:
            for at in range(lo, hi, _CHUNK):
                chunk = [_story_tuple(s) for s in stories[at : min(at + _CHUNK, hi)]]
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        out.append((path, hi - lo))
    return out


def _load_share(path: Path) -> Iterable[Story]:
    with open(path, "rb") as f:
        while True:
            try:
                chunk = pickle.load(f)
            except EOFError:
                return
            for values in chunk:
                yield Story(*values)


def _release_memory() -> None:
    """Collect garbage and hand free heap pages back to the system (glibc's ``malloc_trim``):
    pages the parent still holds when the writers fork count in the build's memory."""
    gc.collect()
    if sys.platform == "linux":
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):  # not glibc
            pass


def _write(job: _WriteJob, taxonomy: Taxonomy, workers: int, progress: bool) -> None:
    """Write the job's shares as new segments and delete its stale ids, in one commit."""
    ix = whoosh_index.open_dir(str(job.folder), indexname=INDEX_NAME)
    writer = BulkSegmentWriter(ix)
    try:
        _write_with(writer, job, taxonomy, progress)
    except BaseException:
        # Close its files: a deleted partial gives its space back only once nothing holds
        # its files open.
        with contextlib.suppress(Exception):
            writer.cancel()
        raise


def _write_with(
    writer: BulkSegmentWriter, job: _WriteJob, taxonomy: Taxonomy, progress: bool
) -> None:
    for sid in job.stale:
        writer.delete_by_term("id", sid)
    total = sum(n for _, n in job.shares)
    counter = multiprocessing.get_context("fork").Value("l", 0)
    segments = []
    try:
        with Progress(total, "indexing", "stories", enabled=progress) as bar:
            if len(job.shares) == 1:
                segments = _write_share(str(job.folder), *job.shares[0], taxonomy, None)
                bar.advance(total)
            elif job.shares:
                segments = _write_in_parallel(job.folder, job.shares, taxonomy, counter, bar)
    finally:
        for path, _ in job.shares:
            path.unlink(missing_ok=True)
    writer.commit_with(segments)


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
            pool.apply_async(_write_share, (str(folder), path, n, taxonomy, True))
            for path, n in shares
        ]
        while not all(p.ready() for p in pending):
            if any(p.ready() and not p.successful() for p in pending):
                break  # one writer failed (a full disk?): stop now, its error is raised below
            time.sleep(0.2)
            bar.advance(counter.value - bar.done)
        segments = [segment for p in pending for segment in p.get()]
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


def _write_share(folder: str, path: Path, n: int, taxonomy: Taxonomy, count: bool | None) -> list:
    """Analyse the ``n`` stories saved in ``path``, assign their topics and write them as new
    segments: one, unless its postings outgrow ``WRITER_MEMORY_MB`` and a next is started."""
    ix = whoosh_index.open_dir(folder, indexname=INDEX_NAME)
    limit = WRITER_MEMORY_MB * 2**20
    segments = []
    writer = None
    try:
        for done, story in enumerate(_load_share(path), 1):
            if writer is None:
                writer = BulkSegmentWriter(ix, _lk=False, packed=True)
            analysed = analyse(story)
            topics = taxonomy.assign(
                analysed["title"], analysed["teaser"] + analysed["body"], story.given_topics
            )
            doc = story_to_document(replace(story, topics=topics), analysed)
            writer.add_document(**doc)
            if writer.pool.size > limit:
                segments.append(writer.finish_segment())
                writer = None
            if count and done % 100 == 0:
                with _counter.get_lock():
                    _counter.value += 100
        if count:
            with _counter.get_lock():
                _counter.value += n % 100
        if writer is not None:
            segments.append(writer.finish_segment())
        return segments
    except BaseException:
        if writer is not None:
            writer.cancel()
        raise


def _link_whoosh_files(src: Path, dst: Path) -> None:
    """Hard-link the live generation's Whoosh files into ``dst``: Whoosh never rewrites a
    file, so the new generation can change (delete, add, merge) without touching the old."""
    for entry in whoosh_files(src):
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
