"""What a generation was built from: each file's size, time and pages, each story's fingerprint.

``newsdex update`` compares the files on disk with this record to read only what changed, and
compares story fingerprints to rewrite only the stories whose folded form changed. It lives
in the generation folder beside the Whoosh files, pickled like Whoosh's own TOC.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from search.models import Page, Story

MANIFEST = "manifest.pickle"
BUILD_INFO = "build.json"
_VERSION = 1


@dataclass(slots=True)
class FileEntry:
    """One input file as last read."""

    size: int
    mtime_ns: int
    crawled_at: datetime | None
    """The ``--crawled-at`` it was read with (``None``: its own modification time)."""
    pages: list[Page] = field(default_factory=list)
    skipped: tuple[str, str] | None = None
    """``(reason, detail)`` when the file could not be read."""
    problems: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Manifest:
    files: dict[str, FileEntry] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    """Story id to ``fingerprint(story, taxonomy)`` of what the index holds for it."""
    version: int = _VERSION

    def save(self, folder: Path) -> None:
        with open(folder / MANIFEST, "wb") as f:
            pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        try:
            with open(folder / MANIFEST, "rb") as f:
                manifest = pickle.load(f)
        except FileNotFoundError:
            return cls()
        return manifest if getattr(manifest, "version", None) == _VERSION else cls()


def fingerprint(story: Story, taxonomy: str) -> str:
    """Changes whenever what the index would hold for ``story`` changes."""
    return hashlib.blake2b(f"{taxonomy}\n{story!r}".encode(), digest_size=12).hexdigest()


def save_build_info(folder: Path, info: dict[str, Any]) -> None:
    (folder / BUILD_INFO).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")


def load_build_info(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / BUILD_INFO).read_text())
    except FileNotFoundError:
        return {}
