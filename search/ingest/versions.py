"""Re-sent copies are one story: fold the versions a source sent of one story into the latest.

A wire service sends a story again when it adds a paragraph, fixes a word or rewords the
headline; the copies sit next to each other in results. Two articles are versions of one story
when all of these hold:

- the same source, both dated, published at most ``WINDOW`` apart;
- the same numbers in their headlines and at the start of their bodies (``LEAD_CHARS``;
  ``six`` counts as ``6``): a daily report under a fixed headline ("GRAIN SHIPS LOADING AT
  PORTLAND") differs in its figures. A re-send that corrects a figure stays apart too: a wrong
  fold hides news, a missed one only shows a copy;
- and either the same headline (normalised) with leads at least ``SIMILAR`` alike, word by
  word (identical, and ``SAME_LEAD_WORDS`` words at least, when they are more than
  ``SAME_DAY`` apart: a routine report of the next day can read like the last one), or the
  same first ``SAME_LEAD_WORDS`` words of the body under headlines sharing at least half their
  words (a reworded headline over the same text).

Where one lead is shorter (a one-line flash, then the full story) only its length is compared.
The folded story keeps the latest version's text, headline and date under the first version's
id (so links to it keep working as versions arrive), every page and related story of them all,
and the list of versions with their times. Undated stories and teasers are never folded.
Everything is sorted first, so the result does not depend on the order stories came in.
Measured on Reuters-21578 in ``docs/benchmarks.md`` ("Versions").
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from difflib import SequenceMatcher
from itertools import pairwise

from search.models import Story

WINDOW = timedelta(hours=48)
"""How far apart versions may be published: re-sends come hours apart, a weekend's can take
two days (Reuters 1987: Saturday to Monday)."""
SAME_DAY = timedelta(hours=24)
LEAD_CHARS = 300
"""How much of the start of a body is compared (about 50 words)."""
SAME_LEAD_WORDS = 30
SIMILAR = 0.9

_WORD = re.compile(r"\w+(?:[.,]\d+)*")
_NUMBER_WORDS = {
    word: str(n)
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}


def words(text: str) -> tuple[str, ...]:
    """The words of ``text`` in lower case."""
    return tuple(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def _digits(words: tuple[str, ...]) -> tuple[str, ...]:
    """``words`` with number words as digits (``six`` → ``6``): done for the few pairs compared,
    not for every story."""
    return tuple([_NUMBER_WORDS.get(w, w) for w in words])


def lead(body: str) -> tuple[str, ...]:
    """The words of the first ``LEAD_CHARS`` characters of ``body``, cut at a space so that
    two bodies alike that far give the same words."""
    if len(body) > LEAD_CHARS:
        body = body[:LEAD_CHARS].rsplit(None, 1)[0]
    return words(body)


class _Copy:
    """One dated article; its words are found when it is compared with another, and not kept
    (kept, those of the few thousand compared took 8 MB on Reuters)."""

    __slots__ = ("story", "published")

    def __init__(self, story: Story) -> None:
        assert story.published is not None
        self.story = story
        self.published = story.published

    def words(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The words of the headline, and of the lead."""
        return words(self.story.title), lead(self.story.body)

    def keys(self) -> tuple[int, int | None]:
        """Hashes of the source with the headline, and with the first ``SAME_LEAD_WORDS`` words
        of the body (``None`` when it is shorter): copies that may be versions share one.
        Only the hashes are kept, so the words of 20,000 stories are never held at once; two
        stories whose hashes collide are compared in full, and told apart there. The hash is
        blake2b, not ``hash()``, whose seed changes with every process: every build pairs
        the same copies."""
        headline, start = words(self.story.title), lead(self.story.body)
        source = self.story.source
        by_lead = None
        if len(start) >= SAME_LEAD_WORDS:
            by_lead = _hash("lead", source, *start[:SAME_LEAD_WORDS])
        return _hash("headline", source, *headline), by_lead


def _hash(*parts: str) -> int:
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _numbers(text: Iterable[str]) -> list[str]:
    return sorted(w for w in text if w[0].isdigit())


def same_story(a: _Copy, b: _Copy) -> bool:
    """Whether ``a`` and ``b`` (same source) are versions of one story (module docstring)."""
    apart = abs(a.published - b.published)
    if apart > WINDOW:
        return False
    (headline_a, whole_a), (headline_b, whole_b) = a.words(), b.words()
    if _numbers(_digits(headline_a)) != _numbers(_digits(headline_b)):
        return False
    n = min(len(whole_a), len(whole_b))
    lead_a, lead_b = _digits(whole_a[:n]), _digits(whole_b[:n])
    if _numbers(lead_a) != _numbers(lead_b):
        return False
    if headline_a == headline_b:
        if apart > SAME_DAY:
            return n >= SAME_LEAD_WORDS and lead_a == lead_b
        return SequenceMatcher(None, lead_a, lead_b, autojunk=False).ratio() >= SIMILAR
    if n < SAME_LEAD_WORDS or lead_a[:SAME_LEAD_WORDS] != lead_b[:SAME_LEAD_WORDS]:
        return False
    shared = set(headline_a) & set(headline_b)
    return 2 * len(shared) >= max(len(set(headline_a)), len(set(headline_b)))


@dataclass(frozen=True, slots=True)
class VersionResult:
    stories: list[Story]
    """Sorted by id."""
    folded: int
    """Stories folded into another as one of its versions."""
    groups: int
    """Stories with more than one version."""


def fold_versions(stories: list[Story]) -> VersionResult:
    """Fold the versions of each story into one (the module docstring says when)."""
    copies = sorted(
        (_Copy(s) for s in stories if s.kind == "article" and s.published is not None),
        key=lambda c: (c.published, c.story.id),
    )
    # (key, index) for each key of each copy, sorted: the copies sharing a key end up side
    # by side, in time order (a list of pairs holds less than a dict of lists).
    keyed: list[tuple[int, int]] = []
    for i, copy in enumerate(copies):
        by_headline, by_lead = copy.keys()
        keyed.append((by_headline, i))
        if by_lead is not None:
            keyed.append((by_lead, i))
    keyed.sort()
    parent = list(range(len(copies)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (key, before), (next_key, after) in pairwise(keyed):
        # Each copy is compared with the one before it under the same key.
        if key == next_key and same_story(copies[before], copies[after]):
            parent[max(root(before), root(after))] = min(root(before), root(after))
    groups: dict[int, list[_Copy]] = defaultdict(list)
    for i, copy in enumerate(copies):
        groups[root(i)].append(copy)
    merged: dict[str, Story] = {}
    renamed: dict[str, str] = {}
    for group in groups.values():
        for part in _within_window(group):
            if len(part) > 1:
                story = merge_versions([c.story for c in part])
                merged[story.id] = story
                renamed.update((c.story.id, story.id) for c in part)
    kept = [merged.get(s.id, s) for s in stories if renamed.get(s.id, s.id) == s.id]
    if renamed:
        kept = [_renamed_related(s, renamed) for s in kept]
    kept.sort(key=lambda s: s.id)
    return VersionResult(kept, len(stories) - len(kept), len(merged))


def _within_window(group: list[_Copy]) -> Iterable[list[_Copy]]:
    """``group`` (in time order) cut wherever a version is over ``WINDOW`` after the first of
    its part: a chain of versions never spans more than the window."""
    part = [group[0]]
    for copy in group[1:]:
        if copy.published - part[0].published > WINDOW:
            yield part
            part = []
        part.append(copy)
    yield part


def merge_versions(versions: list[Story]) -> Story:
    """One story from its versions (in time order): the latest's text under the first's id."""
    first, latest = versions[0], versions[-1]
    pages = sorted({p for v in versions for p in v.pages})
    related: list[str] = []
    given: list[str] = []
    for v in reversed(versions):
        related.extend(r for r in v.related if r not in related)
        given.extend(t for t in v.given_topics if t not in given)
    return replace(
        latest,
        id=first.id,
        teaser=max((v.teaser for v in versions), key=len),
        pages=tuple(pages),
        related=tuple(related),
        given_topics=tuple(given),
        url=latest.url or next((v.url for v in reversed(versions) if v.url), None),
        versions=tuple((v.id, v.published) for v in versions if v.published is not None),
    )


def _renamed_related(story: Story, renamed: dict[str, str]) -> Story:
    if not any(r in renamed for r in story.related):
        return story
    related = [renamed.get(r, r) for r in story.related]
    unique = tuple(r for r in dict.fromkeys(related) if r != story.id)
    return replace(story, related=unique)
