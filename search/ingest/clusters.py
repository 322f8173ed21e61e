"""One event, many outlets: group the stories that different sources ran about one event.

Versions (``versions``) fold the copies one source re-sent; this groups what *different*
sources published about the same event within ``WINDOW`` of each other: the same wire copy
carried by several outlets, and rewrites of the same news in each outlet's own words. A story
joins a cluster when its headline and lead are at least ``SIMILAR`` alike, as TF-IDF cosine
(weighed as scikit-learn's ``TfidfVectorizer`` does, over ``analysis.terms``, so "strikes"
meets "strike"; the products are ``scipy.sparse``'s), to a story of another source
published at most ``WINDOW`` before or after it. Rewrites share
the rare words of the event (names, places, figures) and little else, which is what TF-IDF
weighs; measured against word-set Jaccard (what MinHash estimates) in ``docs/benchmarks.md``
("Clusters").

Only stories that have a story of another source within the window are compared, so a
one-source corpus (Reuters-21578) costs nothing. Pairs are found a block of stories at a time,
each block against the stories of its window only, so the products stay small whatever the
corpus (the vectors of the compared stories are held at once: a few MB for 20,000).
A story joins a cluster only when it is like at least half of its stories, and never more
than ``WINDOW`` after its first: a chain of look-alikes does not make one cluster (``_link``).
Within a cluster, stories whose leads are word for word at least ``SAME_COPY`` alike
(``difflib``, as versions compare leads) carry the same wire copy. As with versions, only
dated articles are clustered: a teaser's line or two (and its date, worked out from "2 hours
ago") is too little to tell one event from another of the same kind; on a synthetic crawl,
teasers sharing two topic words made most of the clusters, all wrong.

The cluster's id is 16 hex digits of blake2b over its first story's id (earliest, then the
smallest id): the same whatever the order of input and the hash seed, and it stays put while
later coverage joins. Everything is sorted first, so the result is a function of the stories.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import timedelta
from difflib import SequenceMatcher
from typing import Any

import numpy as np

from search.indexing.analysis import terms
from search.ingest.versions import lead
from search.models import Story

WINDOW = timedelta(days=3)
"""How far apart outlets' stories on one event may be published (a weekend, then Monday)."""
SIMILAR = 0.3
"""TF-IDF cosine of headline + lead above which two stories tell the same event."""
SAME_COPY = 0.8
"""How alike, word by word, two leads must be to be the same wire copy."""
TEXT_CHARS = 1000
"""How much of the body is compared, after the headline: the event's who,
what and where are in the first paragraphs; later ones wander."""
BLOCK = 512
"""Stories compared with their window at a time."""
COMMON = 0.05
"""Words in more than this share of the stories compared (and in more than ``MIN_COMMON``)
are left out: they tell no event apart ("said", "percent", "qtr"), and most of the cost of
the products is theirs."""
MIN_COMMON = 50


@dataclass(frozen=True, slots=True)
class ClusterResult:
    stories: list[Story]
    """In the order given, with ``cluster`` (and ``wire``) set on every member."""
    clusters: int
    """Clusters found (two stories or more, from at least two sources)."""
    clustered: int
    """Stories in a cluster."""


def cluster_id(first_story_id: str) -> str:
    """The id of the cluster whose first story has ``first_story_id``."""
    return hashlib.blake2b(f"cluster\x1f{first_story_id}".encode(), digest_size=8).hexdigest()


def cluster_stories(stories: list[Story]) -> ClusterResult:
    """Set ``cluster`` on the stories that tell one event with other sources (see above)."""
    dated = sorted(
        (s for s in stories if s.kind == "article" and s.published is not None and s.body),
        key=lambda s: (s.published, s.id),
    )
    dated = _with_other_sources(dated)
    if len(dated) < 2:
        return ClusterResult(stories, 0, 0)
    changed: dict[str, Story] = {}
    clusters = 0
    for members in _link(dated, _similar_pairs(dated)):
        part = [dated[i] for i in members]
        if len({s.source for s in part}) < 2:
            continue
        clusters += 1
        cid = cluster_id(part[0].id)
        wire = _wire_copies(part)
        changed.update((s.id, replace(s, cluster=cid, wire=wire.get(s.id, ""))) for s in part)
    if not changed:
        return ClusterResult(stories, 0, 0)
    return ClusterResult([changed.get(s.id, s) for s in stories], clusters, len(changed))


def _link(dated: list[Story], pairs: list[tuple[int, int]]) -> list[list[int]]:
    """Clusters of ``dated`` (indexes, in time order) from the similar ``pairs``: each story,
    in time order, joins the cluster holding most of the earlier stories it is similar to,
    when it is similar to at least half of that cluster's stories and the cluster's first
    story is at most ``WINDOW`` before it; else it starts a cluster. Joining one similar
    story is not enough: a chain of look-alikes (daily reports under one formula) would
    grow into one cluster spanning weeks."""
    earlier: dict[int, list[int]] = defaultdict(list)
    for i, j in pairs:
        earlier[j].append(i)
    of = list(range(len(dated)))  # each story's cluster, named by its first story
    members: dict[int, list[int]] = {}
    for j in range(len(dated)):
        counts: dict[int, int] = defaultdict(int)
        for i in earlier.get(j, ()):
            counts[of[i]] += 1
        best = max(counts, key=lambda c: (counts[c], -c), default=None)
        if (
            best is not None
            and 2 * counts[best] >= len(members[best])
            and dated[j].published - dated[best].published <= WINDOW  # type: ignore[operator]
        ):
            of[j] = best
            members[best].append(j)
        else:
            members[j] = [j]
    return [m for m in members.values() if len(m) > 1]


def _with_other_sources(dated: list[Story]) -> list[Story]:
    """The stories (in time order) with a story of another source at most ``WINDOW`` away."""
    if len({s.source for s in dated}) < 2:
        return []
    keep = [False] * len(dated)
    # Looking back, then forward: the nearest story of another source is the latest (or
    # next) story of one of the two sources seen last.
    for order in (range(len(dated)), range(len(dated) - 1, -1, -1)):
        seen: list[Story] = []  # the latest story of each of the last two sources
        for i in order:
            story = dated[i]
            near = next((s for s in seen if s.source != story.source), None)
            if near is not None and abs(story.published - near.published) <= WINDOW:  # type: ignore[operator]
                keep[i] = True
            seen = [story, *(s for s in seen if s.source != story.source)][:2]
    return [s for s, k in zip(dated, keep, strict=True) if k]


def _text(story: Story) -> str:
    return f"{story.title}\n{story.body[:TEXT_CHARS]}"


def _similar_pairs(dated: list[Story]) -> list[tuple[int, int]]:
    """``(i, j)``, ``i < j``, of the stories of different sources within ``WINDOW`` of each
    other whose TF-IDF cosine is at least ``SIMILAR``."""
    vectors = tfidf([terms(_text(s)) for s in dated], max(MIN_COMMON, int(COMMON * len(dated))))
    times = np.array([s.published.timestamp() for s in dated])  # type: ignore[union-attr]
    sources = np.unique([s.source for s in dated], return_inverse=True)[1]
    window = WINDOW.total_seconds()
    pairs: list[tuple[int, int]] = []
    for start in range(0, len(dated), BLOCK):
        stop = min(start + BLOCK, len(dated))
        end = int(np.searchsorted(times, times[stop - 1] + window, side="right"))
        sims = (vectors[start:stop] @ vectors[start:end].T).tocoo()
        rows, cols = sims.row + start, sims.col + start
        keep = (
            (cols > rows)
            & (sims.data >= SIMILAR)
            & (sources[rows] != sources[cols])
            & (times[cols] - times[rows] <= window)
        )
        pairs.extend(zip(rows[keep].tolist(), cols[keep].tolist(), strict=True))
    pairs.sort()
    return pairs


def tfidf(documents: list[list[str]], common: int) -> Any:
    """Each document's words as a TF-IDF vector of unit length (rows of a ``scipy.sparse`` CSR
    matrix), weighed as scikit-learn's ``TfidfVectorizer(sublinear_tf=True, max_df=common)``
    does: ``1 + ln(tf)`` times ``1 + ln((1 + n) / (1 + df))``, words in more than ``common``
    documents left out. Written out here to spare a build scikit-learn's import (0.7 s of
    CPU and 94 MB, against 0.2 s and 22 MB for scipy's sparse matrices)."""
    from scipy import sparse  # imported on need: a one-source build never compares stories

    vocabulary: dict[str, int] = {}
    indices: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for words in documents:
        tf = Counter(vocabulary.setdefault(w, len(vocabulary)) for w in words)
        indices.extend(tf)
        counts.extend(tf.values())
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.array(counts, dtype=np.float32), np.array(indices, dtype=np.int32), indptr),
        shape=(len(documents), len(vocabulary)),
    )
    df = np.bincount(matrix.indices, minlength=len(vocabulary))
    idf = (np.log((1 + len(documents)) / (1 + df)) + 1) * (df <= common)
    matrix.data = ((1 + np.log(matrix.data)) * idf[matrix.indices]).astype(np.float32)
    matrix.eliminate_zeros()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return sparse.diags(1 / np.where(norms > 0, norms, 1)).astype(np.float32) @ matrix


def _wire_copies(cluster: list[Story]) -> dict[str, str]:
    """For each member (in time order) that carries the same copy as another member: the id
    of the first member carrying it."""
    leads = [lead(s.body) for s in cluster]
    first: dict[str, str] = {}
    for j, later in enumerate(cluster):
        for i in range(j):
            if cluster[i].source == later.source or later.id in first:
                continue
            a, b = leads[i], leads[j]
            if min(len(a), len(b)) < 10:
                continue
            if SequenceMatcher(None, a, b, autojunk=False).ratio() >= SAME_COPY:
                origin = first.get(cluster[i].id, cluster[i].id)
                first[cluster[i].id] = origin
                first[later.id] = origin
    return first
