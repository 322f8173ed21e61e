"""Disk space: whether a build fits before it starts, and what to say when the disk fills up.

A build estimates the space it needs (``SPACE_PER_INPUT_BYTE`` times what it reads, plus the
live generation for an update) and stops before writing anything when the disk cannot hold it;
a full disk (or quota) anywhere during the build, in any process, becomes ``DiskFull`` with a
message saying what happened to the index.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from search.errors import DiskFull
from search.indexing.generations import IndexDir
from search.indexing.report import IndexReport

SPACE_PER_INPUT_BYTE = 4.0
"""Disk a build needs per byte of input it reads, at its peak (measured on Reuters-21578:
28 MB of input, 52 MB of Whoosh files, a 22 MB manifest and ~20 MB of stories handed to the
writers). An update also counts the live generation's size, which a merge may rewrite."""
_SPACE_SLACK = 2**20
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_disk_full(err: BaseException | None) -> bool:
    """Whether ``err`` or an error it was raised from is a full disk (or quota)."""
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, OSError) and err.errno in DISK_FULL:
            return True
        if isinstance(err, sqlite3.Error) and (
            getattr(err, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
        ):
            return True
        err = err.__cause__ or err.__context__
    return False


def disk_full_message(index: IndexDir, report: IndexReport) -> str:
    free = free_bytes(index.path)
    needed = f", about {_mb(report.space_needed)} needed" if report.space_needed else ""
    try:
        serving = f"{index.current().name} stays live"
    except Exception:  # only for the message
        serving = "no index was published"
    return (
        f"the disk holding {index.path} filled up during the {report.action} "
        f"({_mb(free)} free now{needed}); its partial generation was deleted and {serving}. "
        "Free some space (or give --index a folder on another disk) and run it again."
    )


def free_bytes(path: Path) -> int:
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


def check_space(index: IndexDir, report: IndexReport, input_bytes: int, base: Any) -> None:
    """Stop with ``DiskFull`` before anything is written when the build cannot fit."""
    needed = int(input_bytes * SPACE_PER_INPUT_BYTE) + _SPACE_SLACK
    if base is not None:
        needed += _folder_size(base.path)
    report.space_needed = needed
    free = free_bytes(index.path)
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
