"""A corpus as arrays for learning topics: words counted per story, in one pass of numpy.

Pipeline place: the first step of ``labelling``, on every story at once. Each story's words
are found with one regular expression (words with a letter: bare numbers say little), and
each *distinct* word is then normalised like the index (``analysis.fold``, stop words out,
Snowball stem), so a corpus of millions of words costs a few hundred thousand look-ups. The
result holds one entry per (story, term) pair with its counts in the title and in the text
(teaser and body), and the word lists' score of every story (``list_scores``), computed as
``Taxonomy.scores`` does: ``weight x (1 + ln(count))``, a title occurrence counting three
times, phrases as consecutive terms. The words differ from the index's only where its analysis
reads an initialism or a compound as one (``U.S.``, ``N.Z.``): about 1 story in 100 scores a
little differently.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from itertools import chain, count
from typing import Any

import numpy as np
import Stemmer

from search.indexing.analysis import STOP_WORDS, fold
from search.ingest.topics import Taxonomy

WORD = re.compile(r"[^\W\d_][^\W_]+|\d+[^\W\d_][^\W_]*")
"""A word for topics: two characters or more with a letter (``co2``, ``5g``, ``100th``); bare
numbers and single letters say little about a topic."""
ASCII_WORD = re.compile(r"[a-z][a-z0-9]+|[0-9]+[a-z][a-z0-9]*")
"""The same for lower-case ASCII text, twice as fast to find."""
PART = re.compile(r"[^\W_]+")
"""A part of a compound: words joined by hyphens, among which the index keeps stop words."""
IN_COMPOUND_MARK = "\x00"
_STEMMER = Stemmer.Stemmer("english")
"""Snowball's English stemmer, as ``analysis.stem``."""
LIST_TITLE_WEIGHT = 3
"""As ``topics.TITLE_WEIGHT``: the word lists count a title occurrence three times."""


class Corpus:
    """Every story's terms as sparse arrays in CSR order (by story, then by term)."""

    def __init__(self, texts: Sequence[tuple[str, str]], run: Runner | None = None) -> None:
        """``texts``: each story's title, and its teaser and body. ``run(fn, jobs)`` calls
        ``fn(*job)`` for each job, maybe in other processes, in any order: the words of a
        large corpus are found in ``PARTS`` runs with it."""
        self.size = len(texts)
        every = [text for pair in texts for text in pair]
        distinct, ids, lengths = find_words(every, run if len(texts) >= PARALLEL else None)
        normal = normalise(distinct)
        self.vocab = sorted(set(filter(None, normal)))
        term_of = {term: n for n, term in enumerate(self.vocab)}
        by_word = np.array([term_of.get(t, -1) for t in normal], dtype=np.int64)
        tokens = by_word[ids]
        segment = np.repeat(np.arange(len(lengths)), lengths)
        kept = tokens >= 0
        self.tokens, self.segment = tokens[kept], segment[kept]
        """Each story's terms in order, title then text; ``segment`` is 2 x story (+1 for
        the text), so a phrase never runs from a title into its text."""
        # One sort of (story, term, field) keys counts everything: runs of equal keys.
        width = max(len(self.vocab), 1)
        keys = ((self.segment // 2) * width + self.tokens) * 2 + self.segment % 2
        keys.sort()
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else keys
        counts = np.diff(np.r_[starts, len(keys)]).astype(np.float64)
        distinct_keys = keys[starts]
        pairs = distinct_keys // 2
        first = np.r_[True, pairs[1:] != pairs[:-1]] if len(pairs) else pairs.astype(bool)
        slot = np.cumsum(first) - 1
        unique_pairs = pairs[first]
        self.rows, self.terms = unique_pairs // width, unique_pairs % width
        self.title = np.zeros(len(unique_pairs))
        self.text = np.zeros(len(unique_pairs))
        in_text = distinct_keys % 2 == 1
        self.title[slot[~in_text]] = counts[~in_text]
        self.text[slot[in_text]] = counts[in_text]
        self.term_of = term_of

    def __len__(self) -> int:
        return self.size

    def list_scores(self, taxonomy: Taxonomy) -> np.ndarray:
        """Story x topic: the word lists' scores (0 for beats)."""
        scores = np.zeros((self.size, len(taxonomy)))
        weights = np.zeros((len(self.vocab), len(taxonomy)))
        for term, hits in sorted(taxonomy.indicators().items()):
            at = self.term_of.get(term)
            for topic, weight in hits if at is not None else ():
                weights[at, topic] = weight
        hit = np.flatnonzero(weights.any(axis=1)[self.terms])
        strength = 1.0 + np.log(self.text[hit] + LIST_TITLE_WEIGHT * self.title[hit])
        for topic in np.flatnonzero(weights.any(axis=0)):
            scores[:, topic] = np.bincount(
                self.rows[hit],
                weights=weights[self.terms[hit], topic] * strength,
                minlength=len(self),
            )
        self._add_phrases(taxonomy, scores)
        return scores

    def _add_phrases(self, taxonomy: Taxonomy, scores: np.ndarray) -> None:
        """Count each phrase indicator where its terms follow each other in one segment."""
        width = max(len(self.vocab), 1)
        phrases = []
        for words, topic, weight in taxonomy.phrase_indicators():
            ids = [self.term_of.get(w, -1) for w in words]
            if min(ids) >= 0:
                phrases.append((ids, topic, weight))
        if not phrases or len(self.tokens) < 2:
            return
        # Where a phrase could start (its first term, followed in the same segment), found in
        # one pass and sorted by the first two terms; each phrase then looks only there.
        heads = np.zeros(width, dtype=bool)
        heads[[ids[0] for ids, _, _ in phrases]] = True
        starts = np.flatnonzero(heads[self.tokens[:-1]] & (self.segment[:-1] == self.segment[1:]))
        pairs = self.tokens[starts] * width + self.tokens[starts + 1]
        order = np.argsort(pairs, kind="stable")
        pairs, starts = pairs[order], starts[order]
        for ids, topic, weight in phrases:
            key = ids[0] * width + ids[1]
            at = starts[np.searchsorted(pairs, key) : np.searchsorted(pairs, key, "right")]
            for offset, term in enumerate(ids[2:], 2):
                at = at[at + offset < len(self.tokens)]
                follows = self.segment[at + offset] == self.segment[at]
                at = at[follows & (self.tokens[at + offset] == term)]
            if not len(at):
                continue
            segments = self.segment[at]
            stories, inverse = np.unique(segments // 2, return_inverse=True)
            title = np.bincount(inverse, weights=segments % 2 == 0, minlength=len(stories))
            text = np.bincount(inverse, weights=segments % 2 == 1, minlength=len(stories))
            scores[stories, topic] += weight * (1.0 + np.log(text + LIST_TITLE_WEIGHT * title))


Runner = Callable[[Callable[..., Any], list[tuple[Any, ...]]], Iterable[Any]]
PARALLEL = 5_000
"""From this many stories on, words are found in ``PARTS`` runs with the caller's runner."""
PARTS = 4


def find_words(texts: list[str], run: Runner | None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every distinct word of ``texts``, each word of each text as an index into them, and
    the number of words of each text."""
    if run is None:
        return run_words(0, texts)[1]
    size = -(-len(texts) // PARTS)
    jobs = [(n, texts[at : at + size]) for n, at in enumerate(range(0, len(texts), size))]
    parts = [found for _, found in sorted(run(run_words, jobs), key=lambda done: done[0])]
    distinct = list(dict.fromkeys(chain.from_iterable(words for words, _, _ in parts)))
    index = {word: n for n, word in enumerate(distinct)}
    ids = [np.array([index[w] for w in words], dtype=np.int64)[at] for words, at, _ in parts]
    return distinct, np.concatenate(ids), np.concatenate([counts for *_, counts in parts])


def run_words(n: int, texts: list[str]) -> tuple[int, tuple[list[str], np.ndarray, np.ndarray]]:
    """``find_words`` for one run of texts (``n``: its place), in this process."""
    words = [_words(text) for text in texts]
    # One look-up a word: a new word gets the next number as it is first met.
    index: defaultdict[str | bytes, int] = defaultdict(count().__next__)
    ids = np.fromiter(map(index.__getitem__, chain.from_iterable(words)), np.int64)
    found = list(index)
    # ASCII texts give bytes: one decode per distinct word, then equal words made one.
    named = [w.decode() if type(w) is bytes else w for w in found]
    distinct = list(dict.fromkeys(named))
    at = {word: n for n, word in enumerate(distinct)}
    ids = np.array([at[w] for w in named], dtype=np.int64)[ids]
    return n, (distinct, ids, np.fromiter(map(len, words), np.int64, len(words)))


_SEPARATE = bytes(
    c if chr(c) in "\0abcdefghijklmnopqrstuvwxyz0123456789" else 32 for c in range(256)
)
"""For lower-case ASCII text: every byte that is not a letter, a digit or the mark of a stop
word in a compound (``IN_COMPOUND_MARK``) becomes a space."""


def _words(text: str) -> list[str] | list[bytes]:
    """The words of ``text``. Lower-case ASCII text is split on what is not a letter or digit,
    as bytes (three times as fast as the pattern): this also gives single letters and bare
    numbers, which ``normalise`` drops."""
    lowered = text.lower()
    # The index keeps a stop word inside a compound ("same-sex", "year-on-year"), so the
    # word lists' phrases can match there: mark such words so ``normalise`` keeps them too.
    inside = sorted(_stop_words_in_compounds(lowered)) if "-" in lowered else None
    if lowered.isascii() and IN_COMPOUND_MARK not in lowered:
        if inside:
            cuts = zip([0, *inside], [*inside, len(lowered)], strict=True)
            lowered = IN_COMPOUND_MARK.join(lowered[start:end] for start, end in cuts)
        return lowered.encode().translate(_SEPARATE).split()
    pattern = WORD if not lowered.isascii() else ASCII_WORD
    if not inside:
        return pattern.findall(lowered)
    marked = set(inside)
    return [
        IN_COMPOUND_MARK + m.group() if m.start() in marked else m.group()
        for m in pattern.finditer(lowered)
    ]


def _stop_words_in_compounds(text: str) -> set[int]:
    """Where a stop word starts inside a hyphenated compound of ``text``: the parts on
    either side of each hyphen that joins two words."""
    found = set()
    at = text.find("-", 1)
    while at > 0:
        after = at + 1
        if after < len(text) and text[after].isalnum() and text[at - 1].isalnum():
            start = at - 1
            while start > 0 and text[start - 1].isalnum():
                start -= 1
            if text[start:at] in STOP_WORDS:
                found.add(start)
            end = PART.match(text, after).end()
            if text[after:end] in STOP_WORDS:
                found.add(after)
        at = text.find("-", after)
    return found


def normalise(words: list[str]) -> list[str | None]:
    """Each word's term as the index has it (``analysis.normalise``), or ``None`` for a stop
    word outside a compound: folded, then stemmed by the index's stemmer when all letters,
    all in one call."""
    kept = [w.startswith(IN_COMPOUND_MARK) for w in words]
    words = [w.removeprefix(IN_COMPOUND_MARK) for w in words]
    folded = [w if w.isascii() else fold(w) for w in words]
    stems = _STEMMER.stemWords(folded)
    return [
        (stem if word.isalpha() else word)
        if (keep or word not in STOP_WORDS) and len(word) > 1 and not word.isdigit()
        else None
        for word, stem, keep in zip(folded, stems, kept, strict=True)
    ]
