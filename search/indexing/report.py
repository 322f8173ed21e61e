"""``IndexReport``: what a build or update did, for its summary line and ``--json``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from search.errors import SkippedFile


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
    versions_folded: int = 0
    """Stories folded into another as one of its re-sent versions."""
    version_groups: int = 0
    """Stories made of more than one version."""
    clusters: int = 0
    """Events run by more than one source: stories grouped across sources."""
    clustered: int = 0
    """Stories in those clusters."""
    written: int = 0
    deleted: int = 0
    relabelled: int = 0
    """Stories written again only because their topics changed: the topic model, trained on
    the whole corpus, decided otherwise once the corpus changed."""
    seconds: float = 0.0
    published: bool = False
    kept_in_use: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds spent reading, folding, assigning topics and writing."""
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

    def to_json(self) -> dict[str, Any]:
        """The report as ``newsdex build --json`` prints it."""
        return {
            "action": self.action,
            "index": self.index,
            "generation": self.generation,
            "published": self.published,
            "files": {
                "seen": self.files_seen,
                "read": self.files_read,
                "unchanged": self.files_unchanged,
                "removed": self.files_removed,
                "skipped": self.skip_counts,
            },
            "skipped": [
                {"path": s.path, "reason": s.reason, "detail": s.detail} for s in self.skipped
            ],
            "problems": self.problems,
            "stories": self.stories,
            "kinds": self.kinds,
            "duplicates_folded": self.duplicates,
            "versions_folded": self.versions_folded,
            "stories_with_versions": self.version_groups,
            "clusters": self.clusters,
            "stories_in_clusters": self.clustered,
            "written": self.written,
            "relabelled": self.relabelled,
            "removed": self.deleted,
            "seconds": round(self.seconds, 3),
            "phases": {k: round(v, 3) for k, v in self.phases.items()},
            "rebuilt_in_full": self.rebuilt,
            "large_files": self.large_files,
            "partials_removed": self.partials_removed,
        }
