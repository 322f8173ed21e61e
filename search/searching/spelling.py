""" "Did you mean": written words close to a word the index does not hold.

The index holds stems (``elect`` for ``election``), and stemming can move a misspelling far
from the stem of the word meant (``elction`` stays whole). So the first candidates are the
typed word's own one-edit variants (deletions, swaps, replacements, insertions), stemmed and
looked up in the index: ``elction`` -> ``election`` -> ``elect``. When none exists, stems
within two edits are found by rapidfuzz (in C++) over the lexicon, if it has been loaded.
Either way each candidate is turned back into a written word read off a story that holds it,
and the written word nearest to what was typed wins, the more frequent on a tie.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA as Levenshtein

from search.indexing.analysis import fold, normalise

MIN_WORD = 4
"""Shorter words are left alone: too many neighbours, too little signal."""
MAX_WORD = 30
"""Longer words are left alone too: no word is that long, and a pasted run of characters
would cost ``54 x length`` variants to check."""
KNOWN = 50
"""A word found in this many stories is taken as meant, not corrected."""
MORE_COMMON = 10
"""A replacement must be found in this many times more stories than the word typed."""
_LETTERS = string.ascii_lowercase


class Lexicon:
    """The stems of the text fields, for the two-edit search."""

    def __init__(self, stems: Iterable[str]) -> None:
        self._known = {stem for stem in stems if stem.isalpha()}
        self._words = sorted(self._known)

    def __contains__(self, stem: object) -> bool:
        return stem in self._known

    def near(self, probe: str, cutoff: int) -> list[str]:
        found = process.extract(
            probe, self._words, scorer=Levenshtein.distance, score_cutoff=cutoff, limit=10
        )
        return [word for word, _, _ in found]


def correct(
    typed: str,
    frequency: Callable[[str], int],
    written: Callable[[str, str], str | None],
    lexicon: Lexicon | None,
) -> str | None:
    """The best replacement for ``typed``, or ``None``.

    ``frequency(stem)`` counts the stories holding a stem; ``written(stem, typed)`` gives the
    written word with that stem nearest to ``typed``, read off a story."""
    word = fold(typed)
    stem = normalise(word)
    if stem is None or not MIN_WORD <= len(word) <= MAX_WORD or not word.isalpha():
        return None
    own = frequency(stem)
    if own >= KNOWN:
        return None
    stems = {normalise(variant) for variant in _edits1(word)} - {None, stem}
    if lexicon is not None:  # a set lookup each, instead of the index's term lookups
        stems = {s for s in stems if s in lexicon}
    candidates = [s for s in stems if frequency(s) > own * MORE_COMMON]
    if not candidates and lexicon is not None:
        cutoff = 1 if len(word) <= 5 else 2
        candidates = [s for probe in (stem, word) for s in lexicon.near(probe, cutoff) if s != stem]
    limit = 1 if len(word) <= 5 else 2
    best: tuple[int, int, str] | None = None
    for candidate in set(candidates):
        form = written(candidate, word)
        if not form:
            continue
        key = (Levenshtein.distance(word, form), -frequency(candidate), form)
        if key[0] <= limit and (best is None or key < best):
            best = key
    return best[2] if best else None


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + replaces + inserts)
