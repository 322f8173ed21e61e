"""Whoosh columns as numpy arrays, read straight from the segment files.

Whoosh's column readers unpack one document at a time in Python, which costs about a second
per column on a large index; fixed-size columns are plain big-endian arrays on disk, so numpy
reads a whole segment's worth in one call. Anything unexpected falls back to Whoosh's reader.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import columns
from whoosh.columns import NumericColumn, RefBytesColumn, VarBytesColumn

__all__ = ["NumericColumn", "RefBytesColumn", "VarBytesColumn", "numeric", "refs"]
"""The column types the schema declares are re-exported: ``whoosh.columns`` is the fence's."""


def numeric(column: Any, count: int) -> np.ndarray:
    """A ``NumericColumn`` reader's values for ``count`` documents (missing ones read as the
    column's default)."""
    if isinstance(column, columns.NumericColumn.Reader):
        dtype = np.dtype(column._typecode).newbyteorder(">")
        stored = min(column._count, count)
        raw = column._dbfile.get(column._basepos, stored * column._fixedlen)
        values = np.frombuffer(raw, dtype=dtype).astype(dtype.newbyteorder("="))
        if stored < count:
            pad = np.full(count - stored, column._default, dtype=values.dtype)
            values = np.concatenate([values, pad])
        return values
    return np.array([column[d] for d in range(count)])


def refs(column: Any, count: int) -> tuple[list[str], np.ndarray]:
    """A ``RefBytesColumn`` reader's distinct values and each document's index into them."""
    if isinstance(column, columns.RefBytesColumn.Reader):
        dtype = np.dtype(column._typecode).newbyteorder(">")
        raw = column._dbfile.get(column._basepos, count * column._itemsize)
        codes = np.frombuffer(raw, dtype=dtype).astype(np.int32)
        values = [v.decode("utf-8") for v in column._uniques]
        return values, codes
    names: dict[str, int] = {}
    codes = np.fromiter(
        (names.setdefault(_text(v), len(names)) for v in column), dtype=np.int32, count=count
    )
    return list(names), codes


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else (value or "")
