"""What one search may cost: a deadline, checked wherever the engine reads postings.

Every request gets a ``Budget``. Query compilation bounds the terms a query can expand to
(``expansion.EXPANSION_BUDGET``); the budget bounds the time that is left. Past the deadline the
matcher stops reading posting lists it has not read yet and treats those terms as if they were
not in the query, the engine skips its optional extras (spelling suggestions, the any-word
count), and the results say, in a notice, that they were cut short.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

SEARCH_SECONDS = 0.25
"""Processor time a search may spend reading postings (its own thread's, so a busy machine
does not cut ordinary searches short); the page of hits and the facets come after it."""
WALL_SECONDS = 0.5
"""The same in elapsed time: the backstop that keeps a reader's wait bounded on a busy machine."""


@dataclass(slots=True)
class Budget:
    """The deadline of one request, and what had to be left out to keep it."""

    seconds: float = SEARCH_SECONDS
    wall_seconds: float = WALL_SECONDS
    started: float = field(default_factory=time.thread_time)
    started_wall: float = field(default_factory=time.monotonic)
    skipped: set[str] = field(default_factory=set)
    """Terms whose postings were not read because time ran out."""

    def expired(self) -> bool:
        return (
            time.thread_time() - self.started > self.seconds
            or time.monotonic() - self.started_wall > self.wall_seconds
        )

    def skip(self, term: str) -> None:
        self.skipped.add(term)

    def notice(self) -> str | None:
        """What to tell the reader when the search was cut short, else ``None``."""
        if not self.skipped:
            return None
        shown = ", ".join(sorted(self.skipped)[:5])
        more = f" and {len(self.skipped) - 5} more" if len(self.skipped) > 5 else ""
        return (
            f"This search was too costly to finish in time; it was answered without "
            f"{shown}{more}. Narrow it (fewer prefixes or words) for complete results."
        )
