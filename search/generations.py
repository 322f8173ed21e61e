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
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from search.errors import IndexBusy, IndexMissing

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
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / WRITER_LOCK, "a+") as lock:
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

    def clean(self) -> list[str]:
        """Delete dead partial builds and old generations no reader holds; names kept back."""
        live = self.current().name if (self.path / CURRENT).exists() else None
        complete = [g.name for g in self.generations()]
        keep = {live}
        if live in complete and complete.index(live) > 0:
            keep.add(complete[complete.index(live) - 1])
        in_use = []
        for trash in self.path.glob(".trash-*"):
            shutil.rmtree(trash, ignore_errors=True)
        for path in self._all_generation_dirs():
            if path.name in keep:
                continue
            if path.name.endswith(PARTIAL):
                shutil.rmtree(path, ignore_errors=True)  # we hold the writer lock: it is dead
            elif not _remove_unless_read(path):
                in_use.append(path.name)
        return in_use

    def _all_generation_dirs(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        return [p for p in self.path.iterdir() if _GENERATION.match(p.name) and p.is_dir()]


def _remove_unless_read(path: Path) -> bool:
    try:
        lock = open(path / READERS_LOCK, "a+")  # noqa: SIM115 (closed below)
    except OSError:
        shutil.rmtree(path, ignore_errors=True)
        return True
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        trash = path.with_name(f".trash-{path.name}")
        os.rename(path, trash)
    shutil.rmtree(trash, ignore_errors=True)
    return True


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
            lock = open(gen.path / READERS_LOCK)  # noqa: SIM115 (HeldGeneration closes it)
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
