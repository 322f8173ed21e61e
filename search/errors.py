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


class BadParameter(NewsdexError):
    """A search parameter that cannot be used (a page of ``-1``, a date of ``2025-13-45``)."""

    def __init__(self, param: str, reason: str) -> None:
        super().__init__(f"{param}: {reason}")
        self.param = param
        self.reason = reason
