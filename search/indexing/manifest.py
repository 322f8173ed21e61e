"""What a generation was built from: each file's size, time and pages, each story's fingerprint.

``newsdex update`` compares the files on disk with this record to read only what changed, and
compares story fingerprints to rewrite only the stories whose folded form changed. It is a
small SQLite database in the generation folder (``manifest.sqlite``), with plain values only:
a file's pages are JSON, so no class path is stored and no pickle is read back. An update
copies the live generation's database into the new one and changes the rows that changed.

A manifest that cannot be used (missing, not a database, other tables, a row that does not
decode) is never an error: ``Manifest.load`` says why in ``problem`` and the indexer reads
everything again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from search.models import Caption, Page, RawStory, Story

MANIFEST = "manifest.sqlite"
BUILD_INFO = "build.json"
_VERSION = 1
"""The tables' layout, kept in SQLite's ``user_version``."""

_TABLES = f"""
PRAGMA user_version = {_VERSION};
CREATE TABLE files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    crawled_at TEXT,        -- the --crawled-at it was read with (ISO), NULL: its own mtime
    skip_reason TEXT,       -- NULL unless the file was skipped
    skip_detail TEXT,
    problems TEXT NOT NULL, -- JSON list of strings
    pages TEXT NOT NULL     -- JSON, see pages_to_json
);
CREATE TABLE fingerprints (
    id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL
) WITHOUT ROWID;
"""
_COLUMNS = "path, size, mtime_ns, crawled_at, skip_reason, skip_detail, problems, pages"


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
    problem: str | None = None
    """Why the recorded manifest could not be used (it is then empty)."""

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """The manifest of the generation in ``folder``; empty, with ``problem`` set, when it
        cannot be read. Never raises for what is on disk."""
        path = folder / MANIFEST
        if not path.is_file():
            return cls(problem=f"{MANIFEST} is missing")
        try:
            with closing(_connect(path, readonly=True)) as db:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version != _VERSION:
                    return cls(problem=f"{MANIFEST} has layout {version}, not {_VERSION}")
                rows = db.execute(f"SELECT {_COLUMNS} FROM files")
                files = {row[0]: _entry(row) for row in rows}
                fingerprints = dict(db.execute("SELECT id, fingerprint FROM fingerprints"))
        except (sqlite3.Error, ValueError, TypeError, KeyError, IndexError) as err:
            return cls(problem=f"{MANIFEST} cannot be read ({type(err).__name__}: {err})")
        return cls(files, fingerprints)

    def save(self, folder: Path) -> None:
        """Write the whole manifest as a new database in ``folder``."""
        path = folder / MANIFEST
        path.unlink(missing_ok=True)
        db = _connect(path)
        try:
            with db:
                db.executescript(_TABLES)
                db.executemany(
                    f"INSERT INTO files ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (_row(name, entry) for name, entry in self.files.items()),
                )
                db.executemany("INSERT INTO fingerprints VALUES (?, ?)", self.fingerprints.items())
        finally:
            db.close()


def save_changes(
    live: Path,
    folder: Path,
    files: Mapping[str, FileEntry],
    removed_files: Iterable[str],
    fingerprints: Mapping[str, str],
    removed_ids: Iterable[str],
) -> None:
    """Copy the live generation's manifest into ``folder`` and change only what changed:
    ``files`` (read again) and ``fingerprints`` (rewritten stories) replace their rows, and the
    rows of ``removed_files`` and ``removed_ids`` go."""
    path = folder / MANIFEST
    shutil.copyfile(live / MANIFEST, path)
    db = _connect(path)
    try:
        with db:
            db.executemany("DELETE FROM files WHERE path = ?", ((n,) for n in removed_files))
            db.executemany(
                f"INSERT OR REPLACE INTO files ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (_row(name, entry) for name, entry in files.items()),
            )
            db.executemany("DELETE FROM fingerprints WHERE id = ?", ((i,) for i in removed_ids))
            db.executemany(
                "INSERT OR REPLACE INTO fingerprints VALUES (?, ?)", fingerprints.items()
            )
    finally:
        db.close()


def integrity_problems(folder: Path) -> list[str]:
    """What SQLite's own check finds wrong with the manifest in ``folder`` (empty: sound)."""
    try:
        with closing(_connect(folder / MANIFEST, readonly=True)) as db:
            rows = [r[0] for r in db.execute("PRAGMA integrity_check")]
            db.execute("SELECT count(*) FROM files").fetchone()
            db.execute("SELECT count(*) FROM fingerprints").fetchone()
    except sqlite3.Error as err:
        return [f"{MANIFEST}: {err}"]
    return [] if rows == ["ok"] else [f"{MANIFEST}: {r}" for r in rows]


def count_fingerprints(folder: Path) -> int:
    with closing(_connect(folder / MANIFEST, readonly=True)) as db:
        return db.execute("SELECT count(*) FROM fingerprints").fetchone()[0]


def _connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        # mode=ro: a reader (a serving process, `newsdex check`) never writes or creates it.
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    db = sqlite3.connect(path)
    # The database lives in a generation that is not published yet: a crash leaves a partial
    # folder that the next build deletes, so neither a journal nor fsyncs buy anything.
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    return db


def _row(name: str, entry: FileEntry) -> tuple[Any, ...]:
    reason, detail = entry.skipped or (None, None)
    return (
        name,
        entry.size,
        entry.mtime_ns,
        entry.crawled_at.isoformat() if entry.crawled_at else None,
        reason,
        detail,
        json.dumps(entry.problems, ensure_ascii=False),
        pages_to_json(entry.pages),
    )


def _entry(row: tuple[Any, ...]) -> FileEntry:
    _, size, mtime_ns, crawled_at, reason, detail, problems, pages = row
    return FileEntry(
        int(size),
        int(mtime_ns),
        datetime.fromisoformat(crawled_at) if crawled_at else None,
        pages_from_json(pages),
        (reason, detail or "") if reason is not None else None,
        [str(p) for p in json.loads(problems)],
    )


# --- pages as JSON: lists in field order, datetimes as ISO text -------------------------------


def pages_to_json(pages: list[Page]) -> str:
    """``pages`` as compact JSON: each page ``[path, location, crawled_at, article, teasers]``,
    each story ``[kind, title, source, published, precision, body, captions, topics, id, url]``."""
    return json.dumps(
        [
            [
                p.path,
                p.location,
                p.crawled_at.isoformat(),
                _raw(p.article) if p.article is not None else None,
                [_raw(t) for t in p.teasers],
            ]
            for p in pages
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def pages_from_json(text: str) -> list[Page]:
    return [
        Page(
            path,
            location,
            datetime.fromisoformat(crawled_at),
            _unraw(article) if article is not None else None,
            tuple(_unraw(t) for t in teasers),
        )
        for path, location, crawled_at, article, teasers in json.loads(text)
    ]


def _raw(r: RawStory) -> list[Any]:
    return [
        r.kind,
        r.title,
        r.source,
        r.published.isoformat() if r.published is not None else None,
        r.precision,
        r.body,
        [[c.text, c.credit] for c in r.captions],
        list(r.topics),
        r.id,
        r.url,
    ]


def _unraw(values: list[Any]) -> RawStory:
    kind, title, source, published, precision, body, captions, topics, id_, url = values
    return RawStory(
        kind,
        title,
        source,
        datetime.fromisoformat(published) if published is not None else None,
        precision,
        body,
        tuple(Caption(text, credit) for text, credit in captions),
        tuple(topics),
        id_,
        url,
    )


def fingerprint(story: Story, taxonomy: str) -> str:
    """Changes whenever what the index would hold for ``story`` changes: the hash of its
    content (``CONTENT_CHARS`` characters), then the hash of its topics,
    so an update can tell a story relabelled from a story changed (``relabelled``)."""
    unlabelled = replace(story, topics=(), topic_reasons=())
    content = hashlib.blake2b(repr(unlabelled).encode(), digest_size=12)
    # Topics, not their reasons: a retrained model shifts every confidence a little, and
    # rewriting each story for that would make every update a rebuild.
    labelled = f"{taxonomy}\n{story.topics!r}"
    labels = hashlib.blake2b(labelled.encode(), digest_size=6)
    return content.hexdigest() + labels.hexdigest()


CONTENT_CHARS = 24


def relabelled(old: str | None, new: str) -> bool:
    """Whether a story's fingerprint changed in its topics only."""
    return old is not None and old != new and old[:CONTENT_CHARS] == new[:CONTENT_CHARS]


def save_build_info(folder: Path, info: dict[str, Any]) -> None:
    (folder / BUILD_INFO).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")


def load_build_info(folder: Path) -> dict[str, Any]:
    """The generation's ``build.json``; empty when it is missing or cannot be read."""
    try:
        info = json.loads((folder / BUILD_INFO).read_text())
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}
