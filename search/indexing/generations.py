"""The index folder: generations, the atomic switch between them, and who may touch what.

Layout of an index folder::

    index/
      CURRENT             the name of the live generation, replaced atomically
      writer.lock         held (flock) by the one build or update running
      gen-000007/         a complete Whoosh index plus newsdex's own files
        readers.lock      held shared by every process searching this generation
      gen-000008.partial/ a build in progress (or killed); never read

A build writes a new generation beside the live one and only then points ``CURRENT`` at it,
so a build that fails or is killed leaves the old generation live. Old generations are
deleted only when no process holds their ``readers.lock``; the one before the live one is
always kept for readers that are just switching over.

Who deletes what: a build or update (holding ``writer.lock``) first deletes every partial
folder (with the lock held, none is being written: they are dead builds) and, once it has
published, old generations (``IndexDir.clean``). A serving process that lets go of a
generation calls ``remove_unused_generations`` without the writer lock: it only ever deletes
complete generations numbered below the one before the live one, so never the live one, never
one being published (a new generation's number is above the live one's) and never a partial.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from search.errors import IndexBusy, IndexMissing, NewsdexError

CURRENT = "CURRENT"
WRITER_LOCK = "writer.lock"
READERS_LOCK = "readers.lock"
PARTIAL = ".partial"
_GENERATION = re.compile(r"gen-(\d{6})")

held_writer_locks: set[int] = set()
"""File descriptors of writer locks this process holds; forked workers close them, so that a
worker outliving a killed build cannot keep the index locked."""


@dataclass(frozen=True, slots=True)
class Generation:
    name: str
    path: Path


class IndexDir:
    """One index folder on disk."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def current(self) -> Generation:
        """The live generation; ``IndexMissing`` when nothing has been built yet."""
        try:
            name = (self.path / CURRENT).read_text().strip()
        except FileNotFoundError:
            raise IndexMissing(
                f"no index at {self.path}: build one with `newsdex build PATH --index {self.path}`"
            ) from None
        except OSError as err:  # a file where the folder should be, no permission, ...
            raise NewsdexError(f"cannot read an index at {self.path}: {_reason(err)}") from None
        if not _GENERATION.fullmatch(name):
            raise IndexMissing(f"{self.path / CURRENT} does not name a generation ({name!r})")
        return Generation(name, self.path / name)

    def generations(self) -> list[Generation]:
        """Complete generations on disk, oldest first."""
        if not self.path.is_dir():
            return []
        names = sorted(p.name for p in self.path.iterdir() if _GENERATION.fullmatch(p.name))
        return [Generation(n, self.path / n) for n in names]

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the writer lock for a build or update; ``IndexBusy`` if another holds it."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            lock = open(self.path / WRITER_LOCK, "a+")  # closed by the with
        except OSError as err:
            if err.errno in (errno.ENOSPC, errno.EDQUOT):
                raise
            raise NewsdexError(
                f"cannot write an index at {self.path}: {_reason(err)}; "
                "give --index a folder you can write to"
            ) from None
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                holder = lock.read().strip() or "another process"
                raise IndexBusy(
                    f"another build or update is writing {self.path} ({holder}); "
                    "wait for it to finish"
                ) from None
            lock.seek(0)
            lock.truncate()
            lock.write(f"pid {os.getpid()}, started {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
            lock.flush()
            held_writer_locks.add(lock.fileno())
            try:
                yield
            finally:
                held_writer_locks.discard(lock.fileno())
                lock.truncate(0)

    def new_partial(self) -> Path:
        """A fresh folder for the next generation, named so that it is never read early."""
        numbers = [int(_GENERATION.match(p.name).group(1)) for p in self._all_generation_dirs()]
        path = self.path / f"gen-{max(numbers, default=0) + 1:06d}{PARTIAL}"
        path.mkdir(parents=True)
        (path / READERS_LOCK).touch()
        return path

    def publish(self, partial: Path) -> Generation:
        """Make a finished partial generation the live one, atomically."""
        final = partial.with_name(partial.name.removesuffix(PARTIAL))
        os.rename(partial, final)
        pointer = self.path / (CURRENT + ".tmp")
        with open(pointer, "w") as f:
            f.write(final.name + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(pointer, self.path / CURRENT)
        _fsync_dir(self.path)
        return Generation(final.name, final)

    def remove_partials(self) -> list[str]:
        """Delete every partial generation and leftover trash; names removed.

        Call only with the writer lock held: then no partial is being written, so each one is
        a build that failed or was killed.
        """
        removed = []
        for trash in self.path.glob(".trash-*"):
            shutil.rmtree(trash, ignore_errors=True)
        for path in self._all_generation_dirs():
            if path.name.endswith(PARTIAL):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
        return removed

    def clean(self) -> list[str]:
        """Delete dead partial builds and old generations no reader holds; names kept back.

        Call with the writer lock held (a build does, after publishing).
        """
        self.remove_partials()
        return remove_unused_generations(self)

    def _all_generation_dirs(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        return [p for p in self.path.iterdir() if _GENERATION.match(p.name) and p.is_dir()]


def remove_unused_generations(index: IndexDir) -> list[str]:
    """Delete old complete generations that no process holds; the names still held.

    Safe to call from a reader without the writer lock, beside a running build and beside
    other readers and removers: it reads ``CURRENT`` afresh and only considers complete
    generations numbered below the one before the live one (a generation being published is
    numbered above the live one; partials are never considered). Each is deleted only if an
    exclusive ``flock`` on its ``readers.lock`` succeeds at once, and is renamed away while
    that lock is held, so a reader in ``hold_current`` either finds it held by nobody and
    gone (and reads ``CURRENT`` again) or holds it first and keeps it. A process that may not
    write the index folder deletes nothing.
    """
    try:
        live = index.current()
    except NewsdexError:
        return []
    older = [g for g in index.generations() if _number(g.name) < _number(live.name)]
    in_use = []
    for gen in older[:-1]:  # the last one is the generation before the live one: kept
        if not _remove_unless_read(gen.path):
            in_use.append(gen.name)
    return in_use


def _number(name: str) -> int:
    return int(_GENERATION.match(name).group(1))


def _remove_unless_read(path: Path) -> bool:
    """Delete the generation at ``path`` unless a process holds it; False when one does.

    A generation that is already gone (another remover was first) counts as removed; one this
    process may not rename away is left alone and counts as in use.
    """
    trash = path.with_name(f".trash-{path.name}")
    try:
        # Read-only: flock does not need write access, and a reader may not have it.
        fd = os.open(path / READERS_LOCK, os.O_RDONLY)
    except FileNotFoundError:
        if not path.is_dir():
            return True  # removed meanwhile by another process
        fd = None  # a generation without a lock file: no reader can hold it
    except OSError:
        return False
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
        try:
            os.rename(path, trash)
        except FileNotFoundError:
            return True  # another remover renamed it while we waited for the lock
        except OSError:
            return False
    finally:
        if fd is not None:
            os.close(fd)
    shutil.rmtree(trash, ignore_errors=True)
    return True


def _reason(err: OSError) -> str:
    return err.strerror or str(err)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class HeldGeneration:
    """A generation held against deletion (a shared lock on its ``readers.lock``)."""

    def __init__(self, generation: Generation, lock: IO[str]) -> None:
        self.generation = generation
        self._lock = lock

    def close(self) -> None:
        self._lock.close()  # closing the file releases the lock


def hold_current(index: IndexDir) -> HeldGeneration:
    """Take a shared hold on the live generation; ``close()`` it when done reading."""
    for _ in range(5):
        gen = index.current()
        try:
            lock = open(gen.path / READERS_LOCK)  # HeldGeneration closes it
        except FileNotFoundError:
            continue  # switched and cleaned between the two reads: read CURRENT again
        fcntl.flock(lock, fcntl.LOCK_SH)
        if gen.path.is_dir():
            return HeldGeneration(gen, lock)
        lock.close()
    raise IndexMissing(f"the index at {index.path} keeps changing; try again")


@contextlib.contextmanager
def reading(index: IndexDir) -> Iterator[Generation]:
    """The live generation, held against deletion for as long as the block runs."""
    held = hold_current(index)
    try:
        yield held.generation
    finally:
        held.close()
