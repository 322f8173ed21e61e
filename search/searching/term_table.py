"""Every term of the text fields, sorted, with the number of stories holding it.

Prefix queries (``elect*``) need the terms that start with a prefix and how common each is.
Asking Whoosh's multi-segment reader for them costs a merge of every segment's term table and
a lookup per term (seconds for a one-letter prefix on Reuters); this table is read once per
generation, a segment at a time, and then answers any prefix with two binary searches.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

import numpy as np


class TermTable:
    """Sorted terms and their document frequencies, summed over the given fields."""

    def __init__(self, terms: list[str], frequencies: np.ndarray) -> None:
        self.terms = terms
        self.frequencies = frequencies

    @classmethod
    def read(
        cls, leaves: Iterable[Any], fieldnames: Iterable[str], prefix: str = "", most: int = 0
    ) -> TermTable:
        """Read the term tables of every leaf reader (segment) for ``fieldnames``: all of
        them, or the first ``most`` terms starting with ``prefix`` in each."""
        counts: dict[str, int] = {}
        names = tuple(fieldnames)
        for leaf in leaves:
            for name in names:
                if name not in leaf.schema:
                    continue
                for n, (tbytes, info) in enumerate(leaf.iter_prefix(name, prefix), 1):
                    term = tbytes.decode("utf-8")
                    counts[term] = counts.get(term, 0) + info.doc_frequency()
                    if n == most:
                        break
        terms = sorted(counts)
        return cls(terms, np.fromiter((counts[t] for t in terms), dtype=np.int64, count=len(terms)))

    def with_prefix(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        """Up to ``limit`` terms starting with ``prefix``, the most frequent first, with the
        number of stories holding each (``limit`` 0: none)."""
        lo = bisect_left(self.terms, prefix)
        hi = bisect_left(self.terms, prefix + "\U0010ffff", lo)
        if hi <= lo or limit <= 0:
            return []
        freqs = self.frequencies[lo:hi]
        order = np.argsort(-freqs, kind="stable")[:limit]
        return [(self.terms[lo + i], int(freqs[i])) for i in order.tolist()]

    def frequency(self, term: str) -> int:
        """How many stories hold ``term`` (summed over the fields; 0 for none)."""
        at = bisect_left(self.terms, term)
        return int(self.frequencies[at]) if at < len(self.terms) and self.terms[at] == term else 0
