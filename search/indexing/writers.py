"""The writing step of a build: stories saved in shares, written as segments by forked writers.

After folding, the stories to write are pickled into one share file per writer inside the new
generation's folder (``save_shares``); ``write`` then forks the writers, each of which reads
its share back, analyses the stories (labelled already, ``labelling``) and writes its own segment(s)
(``write_share``), and commits one table of contents naming them all.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import operator
import os
import pickle
import signal
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from search.indexing.generations import held_writer_locks
from search.indexing.progress import Progress
from search.indexing.schema import INDEX_NAME, analyse, story_to_document
from search.indexing.whoosh_private.segment_writer import BulkSegmentWriter
from search.models import Story

WRITER_MEMORY_MB = 256
"""Postings a writing process holds (``PackedPostings.size``) before it starts a new segment."""
_PR_SET_PDEATHSIG = 1


@dataclass(slots=True)
class WriteJob:
    """What the writing step needs once reading and folding are over: nothing read."""

    folder: Path
    """The new generation's folder (``.partial``)."""
    shares: list[tuple[Path, int]]
    """One file of pickled stories per writer, and how many stories it holds."""
    stale: list[str]
    """Ids whose documents are deleted."""
    topic_labels: dict[str, str] = field(default_factory=dict)
    """Names of topics the input carries, from files beside it (``reuters.topic_labels``)."""


_SHARE_FILE = "stories-{}.pickle"
_CHUNK = 256
"""Stories per pickle in a share file."""
# Stories travel as plain tuples: unpickling a frozen dataclass goes through a slow setstate.
_story_tuple = operator.attrgetter(*(f.name for f in fields(Story)))


def save_shares(folder: Path, stories: list[Story], workers: int) -> list[tuple[Path, int]]:
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


def release_memory() -> None:
    """Collect garbage and hand free heap pages back to the system (glibc's ``malloc_trim``):
    pages the parent still holds when the writers fork count in the build's memory."""
    gc.collect()
    if sys.platform == "linux":
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):  # not glibc
            pass


def write(job: WriteJob, workers: int, progress: bool) -> None:
    """Write the job's shares as new segments and delete its stale ids, in one commit."""
    ix = whoosh_index.open_dir(str(job.folder), indexname=INDEX_NAME)
    writer = BulkSegmentWriter(ix)
    try:
        _write_with(writer, job, progress)
    except BaseException:
        # Close its files: a deleted partial gives its space back only once nothing holds
        # its files open.
        with contextlib.suppress(Exception):
            writer.cancel()
        raise


def _write_with(writer: BulkSegmentWriter, job: WriteJob, progress: bool) -> None:
    for sid in job.stale:
        writer.delete_by_term("id", sid)
    total = sum(n for _, n in job.shares)
    counter = multiprocessing.get_context("fork").Value("l", 0)
    segments = []
    try:
        with Progress(total, "indexing", "stories", enabled=progress) as bar:
            if len(job.shares) == 1:
                segments = write_share(str(job.folder), *job.shares[0], None)
                bar.advance(total)
            elif job.shares:
                segments = _write_in_parallel(job.folder, job.shares, counter, bar)
    finally:
        for path, _ in job.shares:
            path.unlink(missing_ok=True)
    writer.commit_with(segments)


def _write_in_parallel(folder, shares, counter, bar) -> list[Any]:
    ctx = multiprocessing.get_context("fork")
    # Everything the parent holds is inherited copy-on-write; frozen, the workers' garbage
    # collector leaves it alone instead of touching (and so copying) every page of it.
    gc.freeze()
    try:
        return _run_writers(ctx, folder, shares, counter, bar)
    finally:
        gc.unfreeze()


def _run_writers(ctx, folder, shares, counter, bar) -> list[Any]:
    with ctx.Pool(len(shares), initializer=init_worker, initargs=(counter,)) as pool:
        pending = [
            pool.apply_async(write_share, (str(folder), path, n, True)) for path, n in shares
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


def init_worker(counter: Any = None) -> None:
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


def write_share(folder: str, path: Path, n: int, count: bool | None) -> list:
    """Analyse the ``n`` stories saved in ``path`` (labelled already) and write them as new
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
            doc = story_to_document(story, analysed)
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
