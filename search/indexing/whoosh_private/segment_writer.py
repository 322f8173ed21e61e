"""A Whoosh ``SegmentWriter`` tuned for writing many documents in one go.

Profiling a Reuters build showed two costs in Whoosh 2.7.4's commit that have nothing to do
with the data: for every posting it asks the per-document reader for the field length, and
that lookup stats a file on disk when the field keeps no lengths; and every posting list,
however short, is written as a compressed block of its own. This writer looks each length up
once per document and field, and keeps posting lists of up to ``INLINE_LIMIT`` postings
inside the term table.

One more change is to the block layout, and ``BulkCodec`` (which Whoosh stores with each
segment, so it is the codec that reads it back) understands it: a block of a positional field
keeps its postings' position lists as one byte string and an array of lengths, where Whoosh
pickles a tuple of one small byte string per posting. Unpickling those tuples was most of the
cost of reading a long posting list (about 1 us a posting); the blob unpickles in one step.
Whoosh's own matchers read the blocks through ``BulkCodec`` unchanged.
"""

from __future__ import annotations

from array import array
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.writing import SegmentWriter

from search.indexing.whoosh_private.pool import PackedPostings

INLINE_LIMIT = 8
"""Posting lists shorter than this live in the term table."""


class _InliningPostingsWriter(W3PostingsWriter):
    # Whoosh 2.7.4 can read inlined posting lists but cannot write them: its writer calls
    # ``terminfo.set_inline``, a method that does not exist (it is ``set_inlined``), so the
    # default ``inlinelimit=1`` is the only setting that works. This is that writer, fixed.
    def finish_postings(self) -> Any:
        terminfo = self._terminfo
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()

    def _mini_values(self) -> Any:
        fixedsize = self._format.fixed_value_size()
        if fixedsize is not None and fixedsize >= 0:
            return super()._mini_values()
        return pack_values(self._values)


def pack_values(values: list[bytes]) -> tuple[bytes, array]:
    """A block's variable-size values as one byte string and their lengths."""
    return b"".join(values), array("I", map(len, values))


def unpack_values(packed: Any) -> tuple[bytes, ...]:
    """The values of a block, whichever layout wrote it."""
    if isinstance(packed, tuple) and len(packed) == 2 and isinstance(packed[1], array):
        blob, lengths = packed
        out = []
        at = 0
        for length in lengths:
            out.append(blob[at : at + length])
            at += length
        return tuple(out)
    return packed


class _BulkLeafMatcher(W3LeafMatcher):
    """Reads blocks whose values were packed by ``pack_values`` (and Whoosh's own)."""

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        fixedsize = self._fixedsize
        if fixedsize is None or fixedsize < 0:
            self._values = unpack_values(self._data[2])
        else:
            super()._read_values()


class BulkCodec(W3Codec):
    """Whoosh's W3 codec, writing short posting lists inline. Reads like W3Codec."""

    __module__ = "search.persisted"  # the name it is pickled under: see that module

    def __init__(self) -> None:
        super().__init__(inlinelimit=INLINE_LIMIT)

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return _BulkLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> W3PostingsWriter:
        return _InliningPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


class BulkSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` with the faster commit described above.

    ``packed``: hold the postings in ``PackedPostings`` (for documents added in docnum order)
    instead of Whoosh's pool. ``finish_segment`` and ``commit_with`` are the steps of a commit
    that writes segments made by other writers (one per process) into one table of contents.
    """

    def __init__(self, ix: Any, *, packed: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("codec", BulkCodec())
        kwargs.setdefault("compound", False)
        super().__init__(ix, **kwargs)
        if packed:
            self.pool = PackedPostings()

    def finish_segment(self) -> Any:
        """Write the documents added so far as a segment, and return it (not yet committed)."""
        return self._finalize_segment()

    def commit_with(self, segments: list[Any]) -> None:
        """Commit this writer's own changes (deletions, documents) together with ``segments``.

        The commit of Whoosh's ``MpWriter`` with ``multisegment=True``: the merge policy may
        fold small segments into this writer's own new segment; ``segments`` are added as they
        are.
        """
        final = self._merge_segments(None, False, True)
        final.extend(segments)
        if self._added:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(final)
        self._finish()

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader()
        try:
            lengths = _Lengths(pdr, self.schema, self.docnum)
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        finally:
            pdr.close()
        self.fieldwriter.close()


class _Lengths:
    """Field lengths of every document of the new segment, read once into lists."""

    def __init__(self, pdr: Any, schema: Any, doccount: int) -> None:
        self._by_field: dict[str, list[int]] = {}
        for name, field in schema.items():
            if field.scorable:
                self._by_field[name] = [pdr.doc_field_length(d, name) for d in range(doccount)]

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self._by_field.get(fieldname)
        return default if lengths is None else lengths[docnum]
