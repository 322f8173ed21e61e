"""``index_stats``: what the live index holds, read from its columns and its build record."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index

from search.indexing.generations import IndexDir, reading
from search.indexing.index_format import check_format
from search.indexing.manifest import load_build_info
from search.indexing.schema import INDEX_NAME, TOPIC_SEPARATOR
from search.searching.facets import from_long, published_column


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def index_stats(index_dir: Path) -> dict[str, Any]:
    """The contract scripts rely on: ``stories``, ``kinds``, ``sources``, ``topics``,
    ``published`` (``min``/``max``), plus ``generation``, ``size_bytes`` and ``built``.

    :raises IndexFormatError: when the live generation is in another format.
    """
    with reading(IndexDir(index_dir)) as gen:
        check_format(gen.path)
        ix = whoosh_index.open_dir(str(gen.path), indexname=INDEX_NAME)
        with ix.reader() as reader:
            stories = reader.doc_count()
            kinds = Counter(_live_values(reader, "kind"))
            sources = Counter(_live_values(reader, "source"))
            topics: Counter[str] = Counter()
            for value in _live_values(reader, "topic_list"):
                if value:
                    topics.update(value.decode("utf-8").split(TOPIC_SEPARATOR))
            first, last = _published_range(reader)
        size = sum(p.stat().st_size for p in gen.path.iterdir() if p.is_file())
        built = load_build_info(gen.path)
    return {
        "stories": stories,
        "kinds": {k: kinds.get(k, 0) for k in ("article", "teaser")},
        "sources": dict(sources.most_common()),
        "topics": dict(topics.most_common()),
        "published": {"min": _iso(first), "max": _iso(last)},
        "generation": gen.name,
        "size_bytes": size,
        "built": built,
    }


def _live_values(reader: Any, field: str) -> list[Any]:
    """The column value of every live document, read segment by segment (a segment with no
    column file for the field gives its default)."""
    if field not in reader.schema or not reader.schema[field].column_type:
        return []
    values = []
    for leaf, _ in reader.leaf_readers():
        column = leaf.column_reader(field)
        if leaf.has_deletions():
            values.extend(v for d, v in enumerate(column) if not leaf.is_deleted(d))
        else:
            values.extend(column)
    return values


def _published_range(reader: Any) -> tuple[Any, Any]:
    """The earliest and latest ``published`` of the live stories, from the sortable column the
    search engine reads too, instead of unpickling every stored document."""
    count = reader.doc_count_all()
    values, dated = published_column(reader, count)
    if reader.has_deletions():
        dated &= np.fromiter((not reader.is_deleted(d) for d in range(count)), bool, count)
    if not dated.any():
        return None, None
    return from_long(values[dated].min()), from_long(values[dated].max())
