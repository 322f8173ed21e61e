"""English analysis for news text: tokens, case folded, accents folded, stop words out, stemmed.

One normalisation serves both sides of the index. ``terms(text)`` is the fast path used while
building (one regex pass and a cache of analysed tokens); ``NewsAnalyzer`` wraps the same
function as a Whoosh analyzer (for the beats of topics files), and the query reader analyses
each token it reads with ``token_terms``, so a query's terms are always the terms that were
indexed. The highlighter finds tokens with ``TOKEN`` and analyses them with ``token_terms``.

A *token* is one word, or a *compound*: word parts joined by ``-``, ``&``, ``/`` or an
apostrophe (``semi-final``, ``AT&T``, ``G-7``, ``O'Brien``, ``2-for-1``, ``U.S.-Japan``).
Inside a compound every part is kept, single letters, digits and stop words too, so a query's
compound (searched as a phrase of its parts) finds it; a possessive ``'s`` is dropped
(``Senate's`` is ``senate``). Outside compounds, stop words and single Latin letters are left
out. Every number is kept whatever its length, and ``1,500`` is one number (``1500``). Words
are NFKC-normalised and case folded (``ﬁnance`` is ``finance``, ``İstanbul`` is ``istanbul``),
accents are folded and zero-width characters removed. Stop words are dropped and the positions
renumbered, as Whoosh's ``StopFilter`` does, so phrase queries line up with the positions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from itertools import repeat

import Stemmer
from whoosh.analysis import Analyzer, Token
from whoosh.support.charset import accent_map

_UNIT = (
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)"  # 1,500 and 2,500.75
    r"|[^\W\d_](?:\.[^\W\d_])+\.?"  # U.S. and U.S
    r"|[^\W_]+(?:\.[^\W_]+)*)"  # words, 3.5, www.example.com
)
WORD = re.compile(_UNIT)
"""One word part: a word, a number (``3.5``, ``1,500``), an initialism (``U.S.``)."""
TOKEN = re.compile(rf"{_UNIT}(?:[-&/'\u2019]{_UNIT})*")
"""A word, or a compound of word parts joined by ``-``, ``&``, ``/`` or an apostrophe."""
_SPAN = re.compile(r"\w+(?:[-&/'\u2019.,]+\w+)*")
"""A run of tokens with nothing but joiners, dots and commas between them: twice as fast to
find as ``TOKEN``, and the tokens of a text are the tokens of its spans (``terms``)."""

# NLTK's English list with Whoosh's ("tbd", "yet"), without "us", "may", "won" and "who": in
# news they are the country, the month, the currency and the World Health Organization. The
# larger list ranks better than Whoosh's alone on MED, CRAN and NPL (docs/benchmarks.md).
STOP_WORDS = frozenset(
    "a about above after again against ain all am an and any are aren as at be because been "
    "before being below between both but by can couldn d did didn do does doesn doing don down "
    "during each few for from further had hadn has hasn have haven having he her here hers "
    "herself him himself his how i if in into is isn it its itself just ll m ma me mightn more "
    "most mustn my myself needn no nor not now o of off on once only or other our ours "
    "ourselves out over own re s same shan she should shouldn so some such t tbd than that the "
    "their theirs them themselves then there these they this those through to too under until "
    "up ve very was wasn we were weren what when where which while whom why will with wouldn y "
    "yet you your yours yourself yourselves".split()
)
# Snowball's English (Porter2) stemmer in C: six times faster than Whoosh's pure-Python
# porter2, which also has bugs of its own ("added" -> "ad", "internal" -> "intern").
stem = Stemmer.Stemmer("english").stemWord
_INITIALISM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]?")
ZERO_WIDTH = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
"""Soft hyphens and zero-width characters: removed before anything else looks at text."""

Analysed = str | tuple[str, ...] | None
"""A token's terms: ``None`` (none), one term, or the terms of a compound in order."""

_cache: dict[str, Analysed] = {}
_MISS: object = object()
_CACHE_LIMIT = 500_000


def fold(word: str) -> str:
    """NFKC, case folded, accents off, and the dots of an initialism dropped (``U.S.`` is
    ``us``), the commas of a number (``1,500`` is ``1500``)."""
    if word.isascii():
        folded = word.lower()
    else:
        folded = unicodedata.normalize("NFKD", ZERO_WIDTH.sub("", word).casefold())
        folded = "".join(c for c in folded if not unicodedata.combining(c)).translate(accent_map)
        folded = unicodedata.normalize("NFKC", folded)
    if "." in folded and _INITIALISM.fullmatch(folded):
        folded = folded.replace(".", "")
    if "," in folded:
        folded = folded.replace(",", "")
    return folded


def normalise(word: str, in_compound: bool = False) -> str | None:
    """The indexed form of one word part, or ``None`` when it is left out: a stop word or a
    single Latin letter, unless it is part of a compound."""
    folded = fold(word)
    if not folded:
        return None
    if not in_compound and (
        folded in STOP_WORDS or (len(folded) < 2 and folded.isascii() and not folded.isdigit())
    ):
        return None
    return stem(folded) if folded.isalpha() else folded


def token_terms(token: str) -> Analysed:
    """The terms of one token (a match of ``TOKEN``), remembered."""
    found = _cache.get(token, _MISS)
    if found is _MISS:
        if len(_cache) > _CACHE_LIMIT:
            _cache.clear()
        parts = WORD.findall(token)
        if len(parts) > 1 and parts[-1] in ("s", "S") and token[-2] in "'\u2019":
            parts.pop()  # a possessive: "Senate's" is "senate"
        if len(parts) == 1:
            found = normalise(parts[0])
        else:
            analysed = tuple(t for p in parts if (t := normalise(p, True)) is not None)
            found = analysed if len(analysed) > 1 else (analysed[0] if analysed else None)
        _cache[token] = found
    return found  # type: ignore[return-value]


def _span_terms(span: str) -> Analysed:
    """The terms of one ``_SPAN`` match: its tokens' terms in order, remembered."""
    if span.isalnum():
        return token_terms(span)  # one plain word, the common case
    found = [t for token in TOKEN.findall(span) for t in as_terms(token_terms(token))]
    analysed: Analysed = tuple(found) if len(found) > 1 else (found[0] if found else None)
    _cache[span] = analysed
    return analysed


def token_terms_all(tokens: list[str]) -> list[Analysed]:
    """``token_terms`` of each token, read from its cache in C and computed only for the
    tokens it has not seen (the highlighter's inner loop)."""
    found = list(map(_cache.get, tokens, repeat(_MISS)))
    if _MISS in found:
        found = [token_terms(w) if t is _MISS else t for w, t in zip(tokens, found, strict=True)]
    return found  # type: ignore[return-value]


def as_terms(analysed: Analysed) -> tuple[str, ...]:
    if analysed is None:
        return ()
    return (analysed,) if isinstance(analysed, str) else analysed


def clean(text: str) -> str:
    """Text as the tokenizer should see it: NFKC (fullwidth ``＆`` is ``&``), no zero-width
    characters. ASCII text is returned as it is, at no cost."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", ZERO_WIDTH.sub("", text))


def terms(text: str) -> list[str]:
    """The indexed terms of ``text`` in order; a term's position is its index in the list."""
    cache = _cache
    out: list[str] = []
    append, extend = out.append, out.extend
    for span in _SPAN.findall(clean(text)):
        found = cache.get(span, _MISS)
        if found is _MISS:
            found = _span_terms(span)
        if found is None:
            continue
        if found.__class__ is str:
            append(found)  # type: ignore[arg-type]
        else:
            extend(found)  # type: ignore[arg-type]
    return out


class NewsAnalyzer(Analyzer):
    """``terms()`` as a Whoosh analyzer (with character offsets when asked, as Whoosh's are;
    each part of a compound spans its whole token)."""

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
            # One untokenised word (a prefix or range bound): folded, not stemmed.
            found: list[tuple[str, int, int, str]] = [(value, 0, len(value), fold(value))]
        else:
            found = [
                (m.group(), m.start(), m.end(), term)
                for m in TOKEN.finditer(clean(value))
                for term in as_terms(token_terms(m.group()))
            ]
        pos = start_pos
        for word, start, end, term in found:
            token.text = term
            token.stopped = False
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
