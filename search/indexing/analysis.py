"""English analysis for news text: words, lower case, accents folded, stop words out, stemmed.

One normalisation serves both sides of the index. ``terms(text)`` is the fast path used while
building (one regex pass and a cache of normalised words); ``NewsAnalyzer`` wraps the same
function as a Whoosh analyzer for query parsing (and the beats of topics files), so a query's
terms are always the terms that were indexed. The highlighter needs no analyzer: it finds the
words with ``WORD`` and normalises them with ``normalise_all``. Stop words are dropped and the
positions renumbered, as Whoosh's ``StopFilter`` does, so phrase queries line up with the
indexed positions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import repeat

import Stemmer
from whoosh.analysis import Analyzer, Token
from whoosh.support.charset import accent_map

WORD = re.compile(r"\w+(?:\.?\w+)*")
"""Whoosh's default word pattern: keeps ``U.S`` and ``3.5`` whole."""

# Whoosh's English list without "us" and "may": in news they are the country and the month.
STOP_WORDS = frozenset(
    "a an and are as at be by can for from have if in is it not of on or tbd that the this "
    "to we when will with yet you your".split()
)
MIN_LENGTH = 2
# Snowball's English (Porter2) stemmer in C: six times faster than Whoosh's pure-Python
# porter2, which also has bugs of its own ("added" -> "ad", "internal" -> "intern").
stem = Stemmer.Stemmer("english").stemWord
_INITIALISM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]?")

_cache: dict[str, str | None] = {}
_MISS: object = object()
_CACHE_LIMIT = 500_000


def fold(word: str) -> str:
    """Lower case, accents folded, and the dots of an initialism dropped (``U.S.`` is ``us``)."""
    folded = word.lower().translate(accent_map)
    if "." in folded and _INITIALISM.fullmatch(folded):
        folded = folded.replace(".", "")
    return folded


def normalise(word: str) -> str | None:
    """The indexed form of one word, or ``None`` when it is a stop word or too short."""
    term = _cache.get(word, False)
    if term is False:
        if len(_cache) > _CACHE_LIMIT:
            _cache.clear()
        folded = fold(word)
        if len(folded) < MIN_LENGTH or folded in STOP_WORDS:
            term = None
        elif folded.isalpha():
            term = stem(folded)
        else:  # numbers, codes and dotted words are kept as they are
            term = folded
        _cache[word] = term
    return term


def normalise_all(words: list[str]) -> list[str | None]:
    """``normalise`` of each word, read from its cache in C and computed only for the words it
    has not seen: 1.6 times as fast as a call per word (the highlighter's inner loop)."""
    found = list(map(_cache.get, words, repeat(_MISS)))
    if _MISS in found:
        found = [normalise(w) if t is _MISS else t for w, t in zip(words, found, strict=True)]
    return found


def terms(text: str) -> list[str]:
    """The indexed terms of ``text`` in order; a term's position is its index in the list."""
    cache = _cache
    out = []
    append = out.append
    for word in WORD.findall(text):
        term = cache.get(word, False)
        if term is False:
            term = normalise(word)
        if term is not None:
            append(term)
    return out


class NewsAnalyzer(Analyzer):
    """``terms()`` as a Whoosh analyzer (with character offsets when asked, as Whoosh's are)."""

    __module__ = "search.persisted"  # the name it is pickled under: see that module

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NewsAnalyzer)

    def __hash__(self) -> int:
        return hash(NewsAnalyzer)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            # One untokenised word is a prefix or range bound from the query parser: fold it
            # but leave stemming to the query module, which knows it is a prefix.
            matches = [(value, 0, len(value))]
            analyse = fold
        else:
            matches = [(m.group(), m.start(), m.end()) for m in WORD.finditer(value)]
            analyse = normalise
        pos = start_pos
        for word, start, end in matches:
            term = analyse(word)
            stopped = term is None
            if stopped and removestops:
                continue
            token.text = fold(word) if stopped else term
            token.stopped = stopped
            token.boost = 1.0
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            pos += 1
            yield token
