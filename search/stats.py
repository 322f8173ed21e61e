"""``index_stats``: what the live index holds, read from its columns and its build record."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from search.generations import IndexDir, reading
from search.manifest import load_build_info
from search.schema import INDEX_NAME, TOPIC_SEPARATOR


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def index_stats(index_dir: Path) -> dict[str, Any]:
    """The contract scripts rely on: ``stories``, ``kinds``, ``sources``, ``topics``,
    ``published`` (``min``/``max``), plus ``generation``, ``size_bytes`` and ``built``."""
    with reading(IndexDir(index_dir)) as gen:
        ix = whoosh_index.open_dir(str(gen.path), indexname=INDEX_NAME)
        with ix.reader() as reader:
            live = [d for d in range(reader.doc_count_all()) if not reader.is_deleted(d)]
            kinds = Counter(_column(reader, "kind", live))
            sources = Counter(_column(reader, "source", live))
            topics: Counter[str] = Counter()
            for value in _column(reader, "topic_list", live):
                if value:
                    topics.update(value.decode("utf-8").split(TOPIC_SEPARATOR))
            dates = [d for d in _published(reader, live) if d is not None]
        size = sum(p.stat().st_size for p in gen.path.iterdir() if p.is_file())
        built = load_build_info(gen.path)
    return {
        "stories": len(live),
        "kinds": {k: kinds.get(k, 0) for k in ("article", "teaser")},
        "sources": dict(sources.most_common()),
        "topics": dict(topics.most_common()),
        "published": {"min": _iso(min(dates, default=None)), "max": _iso(max(dates, default=None))},
        "generation": gen.name,
        "size_bytes": size,
        "built": built,
    }


def _column(reader: Any, field: str, docs: list[int]) -> list[Any]:
    if not reader.has_column(field):
        return []
    column = reader.column_reader(field)
    return [column[d] for d in docs]


def _published(reader: Any, docs: list[int]) -> list[Any]:
    # The DATETIME column holds no "missing" marker; stored fields do.
    return [reader.stored_fields(d).get("published") for d in docs]
