"""Highlighted snippets: a story's text with the query's words marked, as ``Marked`` data.

Place in the pipeline: after a search, the engine hands each hit's stored text here together
with the set of indexed terms the query matched (already stemmed, prefixes already expanded),
and gets back ``Marked`` text: runs of text, each matched or not. The front ends render it
(``search.interface.marks``: escaped HTML with ``<mark>``; the CLI: bold). A word
matches when its term (``analysis.token_terms``) is one of those terms, so "elections" and
"elected" both light up for the term of "election"; a compound (``AT&T``, ``U.S.-Japan``) is
marked whole when all its terms matched, or one that is a word on its own (``japan``).
Nothing here touches Whoosh: one regex pass over the
text and a dictionary look-up per word, with no token objects, so that the whole of an article
of any length is searched for matches (Whoosh's highlighter stops at 32K characters).

Snippets are whole sentences, the ones holding the most distinct terms, in document order; a
sentence too long for a fragment is cut at words to a window around its matches.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection

from search.indexing import analysis
from search.models import Marked

ELLIPSIS = "…"

_TOKENS = re.compile(f"({analysis.TOKEN.pattern})")
"""The indexed token pattern in a group, so ``split`` returns the text between tokens too."""

Hit = tuple[int, int, str]
"""Where a matching word starts and ends in the text, and its term."""

# No sentence ends after these, nor after a single capital (initials, U.S., D.C.).
ABBREVIATIONS = (
    "Mr Mrs Ms Dr Prof St Jr Sr Inc Corp Co Ltd Bros Gen Gov Sen Rep Rev Lt Col Capt Sgt "
    "Mt Ft No vs"
).split()
_SENTENCE_BREAK = re.compile(
    r"[.!?]"
    # One look-behind per length: each must have a fixed width.
    + "".join(
        rf"(?<!\b(?:{'|'.join(w for w in ABBREVIATIONS if len(w) == n)})\.)"
        for n in sorted({len(w) for w in ABBREVIATIONS})
    )
    + r"(?<!\b[A-Z]\.)"
    + r"[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ])"
    + r"|\n\s*"
)
"""The end of a sentence: a stop, maybe a closing quote, and space before a capital, a figure
or an opening quote; or a new line (paragraphs are lines, or separated by blank lines)."""


def matches(text: str, terms: Collection[str]) -> bool:
    """True when a word of ``text`` is one of the indexed ``terms``."""
    return bool(_hits(text, terms))


def mark(text: str, terms: Collection[str]) -> Marked:
    """All of ``text``, each matching word marked on its own (a phrase gets one mark per word,
    with the space between them unmarked)."""
    return _render(text, 0, len(text), _hits(text, terms))


def snippets(
    text: str, terms: Collection[str], *, max_fragments: int = 3, fragment_chars: int = 220
) -> tuple[Marked, ...]:
    """The sentences of ``text`` that match best, marked, in document order.

    Sentences rank by how many distinct terms they hold, then by their number of matches, then
    the earlier first. One longer than ``fragment_chars`` is cut down to the window holding the
    most of its matches, with ``…`` where it was cut. ``()`` when nothing matches.
    """
    hits = _hits(text, terms) if max_fragments > 0 else []
    if not hits:
        return ()
    starts = [0, *(m.end() for m in _SENTENCE_BREAK.finditer(text))]
    by_sentence: dict[int, list[Hit]] = {}
    for hit in hits:
        by_sentence.setdefault(bisect_right(starts, hit[0]) - 1, []).append(hit)

    def rank(sentence: int) -> tuple[int, int, int]:
        found = by_sentence[sentence]
        return -len({term for _, _, term in found}), -len(found), sentence

    best = sorted(sorted(by_sentence, key=rank)[:max_fragments])
    fragments = []
    for sentence in best:
        found = by_sentence[sentence]
        start = starts[sentence]
        end = starts[sentence + 1] if sentence + 1 < len(starts) else len(text)
        while text[start].isspace():  # a sentence holds a word, so these loops stop
            start += 1
        while text[end - 1].isspace():
            end -= 1
        if end - start <= fragment_chars:
            fragments.append(_render(text, start, end, found))
        else:
            fragments.append(_window(text, start, end, found, fragment_chars))
    return tuple(fragments)


def lead(text: str, chars: int = 220) -> Marked:
    """The start of ``text``, its white space made single spaces, cut at a word with ``…``
    when longer than ``chars``; shown when the body holds no match."""
    most = chars // 2 + 2  # more words than that cannot fit: each takes a letter and a space
    words = text.split(None, most)
    head = " ".join(words[:most])
    if len(words) <= most and len(head) <= chars:
        return _marked([(head, False)])
    cut = head.rfind(" ", 0, chars + 1)
    return _marked([(head[: cut if cut > 0 else chars] + ELLIPSIS, False)])


def _as_set(terms: Collection[str]) -> set[str] | frozenset[str]:
    return terms if isinstance(terms, set | frozenset) else set(terms)


def _hits(text: str, terms: Collection[str]) -> list[Hit]:
    """``(start, end, term)`` of each matching word, in order."""
    if not terms or not text:
        return []
    terms = _as_set(terms)
    parts = _TOKENS.split(text)  # between, token, between, token, ..., between
    analysed = analysis.token_terms_all(parts[1::2])
    hits = []
    position = previous = 0
    for index, found in zip(range(1, len(parts), 2), analysed, strict=True):
        if found is None:
            continue
        if found.__class__ is str:
            if found not in terms:
                continue
            term = found
        else:
            term = _compound_hit(found, terms)  # type: ignore[arg-type]
            if term is None:
                continue
        position += sum(map(len, parts[previous:index]))
        end = position + len(parts[index])
        hits.append((position, end, term))
        position, previous = end, index + 1
    return hits


def _compound_hit(found: tuple[str, ...], terms: set[str] | frozenset[str]) -> str | None:
    """The term a compound counts as matched by: all of them (``AT&T`` for ``at t``), or one
    that would be a term on its own (``japan`` in ``U.S.-Japan``); ``None`` when neither."""
    held = [t for t in found if t in terms]
    if not held:
        return None
    if len(held) == len(found):
        return " ".join(found)
    alone = [t for t in held if analysis.normalise(t) == t]
    return alone[0] if alone else None


def _render(text: str, start: int, end: int, hits: list[Hit]) -> Marked:
    """``text[start:end]`` with the ``hits`` (all inside it) marked."""
    return _marked(_runs(text, start, end, hits))


def _runs(text: str, start: int, end: int, hits: list[Hit]) -> list[tuple[str, bool]]:
    runs = []
    for hit_start, hit_end, _ in hits:
        runs.append((text[start:hit_start], False))
        runs.append((text[hit_start:hit_end], True))
        start = hit_end
    runs.append((text[start:end], False))
    return runs


def _marked(runs: list[tuple[str, bool]]) -> Marked:
    """The runs without empty pieces, neighbouring unmatched pieces joined."""
    out: list[tuple[str, bool]] = []
    for piece, matched in runs:
        if not piece:
            continue
        if out and not matched and not out[-1][1]:
            out[-1] = (out[-1][0] + piece, False)
        else:
            out.append((piece, matched))
    return Marked(tuple(out))


def _window(text: str, start: int, end: int, hits: list[Hit], chars: int) -> Marked:
    """The most telling ``chars`` of the sentence ``text[start:end]``, cut at words."""
    best = (0, 0)
    best_key = (0, 0)
    last = 0
    for first, (first_start, _, _) in enumerate(hits):
        last = max(last, first)
        while last + 1 < len(hits) and hits[last + 1][1] - first_start <= chars:
            last += 1
        inside = hits[first : last + 1]
        key = (len({term for _, _, term in inside}), len(inside))
        if key > best_key:
            best, best_key = (first, last), key
    inside = hits[best[0] : best[1] + 1]
    # Share what room is left between the two sides; a side that runs out gives it to the other.
    room = max(chars - (inside[-1][1] - inside[0][0]), 0)
    left = max(start, inside[0][0] - room // 2)
    right = min(end, left + max(chars, inside[-1][1] - left))
    left = max(start, min(left, right - chars))
    if left > start:
        space = text.find(" ", left - 1, inside[0][0])
        left = space + 1 if space >= 0 else inside[0][0]
    if right < end:
        space = text.rfind(" ", inside[-1][1], right + 1)
        right = space if space >= 0 else inside[-1][1]
    shown = [hit for hit in hits if left <= hit[0] and hit[1] <= right]
    runs = _marked(_runs(text, left, right, shown)).runs
    # Stripped as a whole: a matched word holds no space, so only unmatched ends change.
    if runs and not runs[0][1]:
        runs = ((runs[0][0].lstrip(), False), *runs[1:])
    if runs and not runs[-1][1]:
        runs = (*runs[:-1], (runs[-1][0].rstrip(), False))
    before = [(ELLIPSIS, False)] if left > start else []
    after = [(ELLIPSIS, False)] if right < end else []
    return _marked([*before, *runs, *after])
