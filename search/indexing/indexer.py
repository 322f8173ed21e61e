"""Build and update: files to pages to stories to a new Whoosh generation, switched in atomically.

Both run in three steps. Reading: every core parses files into pages. Folding: one process
folds the pages into stories and events (it needs them all), labels their topics
(``ingest.labelling``), saves the manifest and pickles each writer's share of the stories into
the new generation's folder, then lets go of everything it read. Writing (``writers``): every
core, forked then, reads its share back, analyses the stories and writes its own Whoosh
segment; the parent commits one table of contents naming all the segments. Nothing read is
held twice: the parent frees it before forking, and a writer holds its postings packed
(``whoosh_private.pool``) instead of as Whoosh's tuples.

Before it reads, a build deletes the partial generations of builds that failed or were killed
and checks that the disk has room for what it is about to write (``disk``); a build that fails
for any reason (a full disk included, in any process) deletes its own partial generation, so
the space is free again and the live generation stays as it was. The last step before
publishing records the generation's format and checksums (``index_format.write_format``). What
was done comes back as an ``IndexReport`` (``report``)."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index

from search import __version__
from search.errors import DiskFull, IndexFormatError, SkippedFile
from search.indexing import disk, writers
from search.indexing.generations import Generation, IndexDir
from search.indexing.index_format import check_format, whoosh_files, write_format
from search.indexing.manifest import (
    FileEntry,
    Manifest,
    fingerprint,
    load_build_info,
    relabelled,
    save_build_info,
    save_changes,
)
from search.indexing.progress import Progress
from search.indexing.report import IndexReport
from search.indexing.schema import INDEX_NAME, StorySchema
from search.ingest import labelling, topic_model
from search.ingest.stories import fold
from search.readers import given_topic_labels, read_file, walk

if TYPE_CHECKING:
    from search.ingest.topics import Taxonomy

_SMALL_JOB = 200
"""Below this many stories writing runs in-process: forking would cost more."""
_SMALL_READ = 2_000_000
"""Below this many bytes of input, reading runs in-process."""

MAX_FILE_MB = 64
"""Files larger than this are skipped as ``too large``. Every reader reads a file whole and
holds about 14 times its size at the peak (a 200 MB page took 2.8 GB): 64 MiB is about 1 GB.
A reader that streams its input would be exempt; none does yet."""
LARGE_FILE_MB = 16
"""Files larger than this are read, with a warning in the report about their memory."""
TOO_LARGE = "too large"


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def build(paths: Sequence[Path], index_dir: Path, **options: Any) -> IndexReport:
    """Index everything under ``paths`` into a new generation and make it live.

    Options (keyword only): ``taxonomy`` (required), ``crawled_at``, ``workers``, ``strict``,
    ``progress``; see ``_run``.
    """
    return _run("build", paths, index_dir, **options)


def update(paths: Sequence[Path], index_dir: Path, **options: Any) -> IndexReport:
    """Apply what changed under ``paths`` since the live generation; same result as a build,
    with the same options."""
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
                    writers.release_memory()
                    mark = time.monotonic()
                    writers.write(job, workers, progress)
                    report.phases["write"] += time.monotonic() - mark
                    info = _build_info(
                        action, paths, crawled_at, taxonomy, report, live, job.topic_labels
                    )
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
        if not disk.is_disk_full(err):
            raise
        raise DiskFull(disk.disk_full_message(index, report)) from err
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
) -> writers.WriteJob | None:
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
    disk.check_space(index, report, readable, live if (todo or removed) else None)
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
    report.versions_folded, report.version_groups = folded.versions_folded, folded.version_groups
    report.clusters, report.clustered = folded.clusters, folded.clustered
    report.stories = len(folded.stories)
    report.kinds = dict(Counter(s.kind for s in folded.stories))
    report.phases["fold"] = time.monotonic() - start - report.phases["read"]
    mark = time.monotonic()
    # Every story, unchanged ones too: the topic model learns from the whole corpus, so an
    # update labels exactly as a rebuild would (docs/topics.md).
    stories = labelling.label(taxonomy, folded.stories, lambda f, j: _map(f, j, workers, 1))
    report.phases["topics"] = time.monotonic() - mark
    tax = taxonomy.fingerprint() + topic_model.settings()
    fingerprints = {s.id: fingerprint(s, tax) for s in stories}
    stale = [sid for sid, fp in old.fingerprints.items() if fingerprints.get(sid) != fp]
    fresh = [s for s in stories if old.fingerprints.get(s.id) != fingerprints[s.id]]
    report.deleted, report.written = len(stale), len(fresh)
    report.relabelled = sum(
        relabelled(old.fingerprints.get(s.id), fingerprints[s.id]) for s in fresh
    )

    if not stories or (strict and report.skipped):
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
    shares = writers.save_shares(partial, fresh, workers if len(fresh) > _SMALL_JOB else 1)
    report.phases["write"] = time.monotonic() - mark
    return writers.WriteJob(partial, shares, stale, given_topic_labels(files))


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
        if err.errno in disk.DISK_FULL:
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
    with multiprocessing.get_context("fork").Pool(workers, initializer=writers.init_worker) as pool:
        yield from pool.imap_unordered(_star, [(fn, job) for job in jobs], chunksize)


def _star(item: tuple[Any, tuple]) -> Any:
    fn, args = item
    return fn(*args)


def _link_whoosh_files(src: Path, dst: Path) -> None:
    """Hard-link the live generation's Whoosh files into ``dst``: Whoosh never rewrites a
    file, so the new generation can change (delete, add, merge) without touching the old."""
    for entry in whoosh_files(src):
        os.link(entry, dst / entry.name)


def _build_info(action, paths, crawled_at, taxonomy, report, live, labels) -> dict[str, Any]:
    first = (load_build_info(live.path) if live is not None else {}).get("first_built_at")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "action": action,
        "built_at": now,
        "first_built_at": first or now,
        "paths": [str(Path(p).resolve()) for p in paths],
        "crawled_at": crawled_at.isoformat() if crawled_at else None,
        "taxonomy": getattr(taxonomy, "source", None),
        "newsdex_version": __version__,
        "files": report.files_seen,
        "stories": report.stories,
        "duplicates_folded": report.duplicates,
        "versions_folded": report.versions_folded,
        "topic_labels": labels,
        "clusters": report.clusters,
    }
