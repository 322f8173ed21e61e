"""Prefixes (``elect*``) as the words they stand for, within one budget per query.

A prefix expands to the index's most frequent terms that start with it (``PREFIX_CAP`` at most);
all the prefixes of one query share ``EXPANSION_BUDGET`` terms, so ``a* b* c* ...`` cannot make
a query of thousands of terms. ``PrefixExpansion`` keeps the prefix for the echo.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from whoosh import query as wq

from search.indexing.analysis import stem

PREFIX_CAP = 50
"""A prefix expands to at most this many terms, the most frequent first."""
EXPANSION_BUDGET = 64
"""All the prefixes of one query expand to at most this many terms together."""
MIN_SHARE = 2
"""Each prefix gets at least this many terms; prefixes past the budget are left out."""


@dataclass(slots=True)
class Expansion:
    """How many terms each prefix of one query may expand to, so that all of them together
    stay within ``EXPANSION_BUDGET``; each prefix is expanded once for every field."""

    share: int
    allowed: int
    """How many distinct prefixes may expand; the ones after are left out."""
    done: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    cut: list[str] = field(default_factory=list)
    """Prefixes that matched more than ``share`` terms."""
    dropped: list[str] = field(default_factory=list)

    @classmethod
    def for_prefixes(cls, prefixes: set[str]) -> Expansion:
        """The budget for a query holding these distinct prefixes."""
        distinct = len(prefixes)
        share = min(PREFIX_CAP, max(MIN_SHARE, EXPANSION_BUDGET // max(distinct, 1)))
        return cls(share, EXPANSION_BUDGET // share)

    def terms(
        self, typed: str, expand_prefix: Callable[[str, int], Sequence[tuple[str, int]]]
    ) -> list[tuple[str, int]]:
        """The terms ``typed*`` stands for (the same list for every field)."""
        found = self.done.get(typed)
        if found is not None:
            return found
        if len(self.done) >= self.allowed:
            self.dropped.append(typed)
            found = []
        else:
            # The index holds stems: "lighthouse*" must reach "lighthous", so a prefix is cut
            # back to what it shares with its own stem.
            prefix = os.path.commonprefix([typed, stem(typed)]) if typed.isalpha() else typed
            found = list(expand_prefix(prefix or typed, self.share + 1))
            if len(found) > self.share:
                found = found[: self.share]
                self.cut.append(typed)
        self.done[typed] = found
        return found

    def notices(self) -> list[str]:
        out = []
        if self.cut:
            listed = ", ".join(f"{p}*" for p in self.cut[:5])
            more = f" and {len(self.cut) - 5} more" if len(self.cut) > 5 else ""
            out.append(
                f"{listed}{more} matched many words; searched the {self.share} most "
                f"frequent of each."
            )
        if self.dropped:
            listed = ", ".join(f"{p}*" for p in self.dropped[:5])
            out.append(f"Too many prefixes: left out {listed}.")
        return out


class PrefixExpansion(wq.Or):
    """The words a prefix (``elect*``) stood for, remembering the prefix for the echo."""

    def __init__(self, prefix: str, subqueries: list[wq.Query]) -> None:
        super().__init__(subqueries)
        self.prefix = prefix
