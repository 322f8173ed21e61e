"""The errors newsdex raises; the CLI and the web layer translate them at the edges."""

from __future__ import annotations


class NewsdexError(Exception):
    """Base class: something a person must be told about, in words they can act on."""


class SkippedFile(NewsdexError):
    """A file that could not be read as a page; the rest of the corpus is still indexed."""

    def __init__(self, path: str, reason: str, detail: str = "") -> None:
        self.path = path
        self.reason = reason
        """One of the short reasons counted in the build summary (``empty``, ``binary``, ...)."""
        self.detail = detail
        super().__init__(f"{path}: {reason}" + (f" ({detail})" if detail else ""))


class IndexMissing(NewsdexError):
    """No index has been built at the given location yet."""


class IndexBusy(NewsdexError):
    """Another build or update holds the index's writer lock."""


class BadTopicsFile(NewsdexError):
    """A topics file that cannot be loaded; says which file and what is wrong with it."""


class StoryNotFound(NewsdexError):
    """No story in the live index has this id."""

    def __init__(self, story_id: str) -> None:
        super().__init__(f"no story with id {story_id!r}")
        self.story_id = story_id


class ClusterNotFound(NewsdexError):
    """No story in the live index is part of a cluster with this id."""

    def __init__(self, cluster_id: str) -> None:
        super().__init__(f"no cluster with id {cluster_id!r}")
        self.cluster_id = cluster_id


class BadParameter(NewsdexError):
    """A search parameter that cannot be used (a page of ``-1``, a date of ``2025-13-45``)."""

    def __init__(self, param: str, reason: str) -> None:
        super().__init__(f"{param}: {reason}")
        self.param = param
        self.reason = reason


class IndexFormatError(NewsdexError):
    """A generation written by another version of the on-disk format: rebuild it."""

    def __init__(self, path: str, found: object, expected: object) -> None:
        super().__init__(
            f"the index at {path} was written in format {found}, this newsdex reads format "
            f"{expected}: rebuild needed (`newsdex build PATH --index ...` writes a new one)"
        )
        self.path = path
        self.found = found
        self.expected = expected


class IndexCorrupt(NewsdexError):
    """A file of the live generation cannot be read: the index is damaged and must be rebuilt."""

    def __init__(self, generation: str, fault: str) -> None:
        super().__init__(f"the index generation {generation} is damaged: {fault}")
        self.generation = generation
        self.fault = fault


class DiskFull(NewsdexError):
    """A build ran out of disk space (or would: it checks before it starts)."""
