"""Clusters at search time: one hit per event, and an event's whole coverage.

The build puts each story of an event that several sources ran into a cluster
(``search.ingest.clusters``) and writes the cluster's id twice: as a stored, indexed field
(``cluster``: its stories are found by it) and as a number in the ``cluster_key`` column, which
``ClusterColumn`` reads as one array when a generation is opened. Grouping a search is then
array work over its matches in their final order: the first match of each cluster leads, the
others are counted under it (``lead_positions``, ``followers``). ``cluster`` lists all of one
cluster's stories by time, for its coverage page.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from search.errors import ClusterNotFound
from search.indexing.schema import cluster_key
from search.indexing.whoosh_private import column_arrays
from search.models import ClusterDetail, ClusterMember, StoryCard

MAX_MORE = 20
"""At most this many of a cluster's other matches are listed under its lead hit."""


class ClusterColumn:
    """Each story's cluster as a number (0: none), and how many live stories each holds."""

    def __init__(self, reader: Any, live: np.ndarray) -> None:
        parts = [
            column_arrays.numeric(leaf.column_reader("cluster_key", translate=False), n)
            if leaf.has_column("cluster_key")
            else np.zeros(n, dtype=np.uint64)
            for leaf, n in ((leaf, leaf.doc_count_all()) for leaf, _ in reader.leaf_readers())
        ]
        keys = np.concatenate(parts).astype(np.uint64) if parts else np.zeros(0, np.uint64)
        self.keys = np.where(live[: len(keys)], keys, 0).astype(np.uint64)
        self._values, self._counts = np.unique(self.keys[self.keys != 0], return_counts=True)

    def size(self, cluster: str | None) -> int:
        """How many stories the cluster holds (0 for ``None`` or an unknown id)."""
        if not cluster:
            return 0
        key = np.uint64(cluster_key(cluster))
        at = int(np.searchsorted(self._values, key))
        found = at < len(self._values) and self._values[at] == key
        return int(self._counts[at]) if found else 0


def lead_positions(keys: np.ndarray) -> np.ndarray:
    """Of matches in their final order, with their cluster keys: the positions that lead a
    group, in order (the first match of each cluster, and every match in none)."""
    lead = keys == 0
    clustered = np.flatnonzero(~lead)
    if len(clustered):
        _, first = np.unique(keys[clustered], return_index=True)
        lead[clustered[first]] = True
    return np.flatnonzero(lead)


def followers(keys: np.ndarray, ids: np.ndarray, position: int) -> np.ndarray:
    """The other matches (document numbers) of the cluster of the match at ``position``."""
    key = keys[position]
    if key == 0:
        return ids[:0]
    same = np.flatnonzero(keys == key)
    return ids[same[same != position]]


def cards(stored: list[dict[str, Any]]) -> tuple[StoryCard, ...]:
    """Stories as cards, in time order (undated last), at most ``MAX_MORE``."""
    docs = sorted(stored, key=_time_order)[:MAX_MORE]
    return tuple(StoryCard(**card_fields(doc)) for doc in docs)


def cluster(searcher: Any, live: np.ndarray, cluster_id: str) -> ClusterDetail:
    """All the live stories of a cluster, by time; ``ClusterNotFound`` when it has none."""
    docs = [
        searcher.stored_fields(d)
        for d in searcher.document_numbers(cluster=cluster_id)
        if d < len(live) and live[d]
    ]
    if not docs:
        raise ClusterNotFound(cluster_id)
    docs.sort(key=_time_order)
    members = tuple(
        ClusterMember(**card_fields(doc), first=n == 0, wire=doc.get("wire") or "")
        for n, doc in enumerate(docs)
    )
    return ClusterDetail(id=cluster_id, members=members)


def _time_order(doc: dict[str, Any]) -> tuple[bool, Any, str]:
    published = doc.get("published")
    return published is None, published or 0, doc["id"]


def card_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored story's ``StoryCard`` fields."""
    return {
        "id": doc["id"],
        "title": doc.get("title") or "",
        "source": doc.get("source", ""),
        "published": doc.get("published"),
        "precision": doc.get("precision"),
        "kind": doc.get("kind", "article"),
    }
