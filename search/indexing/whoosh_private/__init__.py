"""The fence: every line of newsdex that relies on Whoosh 2.7.4's private internals.

Whoosh is pinned to 2.7.4 exactly (pyproject.toml). Code outside this package uses only
Whoosh's public API (``whoosh.index``, ``whoosh.fields``, ``whoosh.query``, ``whoosh.qparser``,
``whoosh.analysis``, ``whoosh.searching``, ``whoosh.scoring``); a test
(``tests/test_layout.py``) holds it to that. What is here can break silently on any other
Whoosh, so the oracle tests (``tests/test_oracle.py``) compare it with Whoosh's own results.

- ``segment_writer``: the on-disk codec (``BulkCodec``, pickled into every segment) and the bulk
  writer. Subclasses ``whoosh.codec.whoosh3.W3Codec``, ``W3LeafMatcher`` (overrides
  ``_read_values``; reads ``_data``, ``_fixedsize``, sets ``_values``) and ``W3PostingsWriter``
  (overrides ``finish_postings`` and ``_mini_values``; reads ``_terminfo``, ``_ids``,
  ``_weights``, ``_values``, ``_format``, ``_inlinelimit``, calls ``written``); and
  ``whoosh.writing.SegmentWriter`` (overrides ``_flush_segment``; uses ``perdocwriter``,
  ``per_document_reader``, ``fieldwriter``, ``pool``, ``docnum``, ``_added``, and the commit
  steps ``_merge_segments``, ``_finalize_segment``, ``_close_segment``, ``_commit_toc``,
  ``_finish``); the codec's ``_blocklimit``, ``_compression``, ``_inlinelimit``.
- ``postings``: posting lists read a block at a time into numpy arrays, field lengths and
  deleted documents. Uses ``whoosh.codec.whoosh3._lenfield`` and ``LENGTHS_COLUMN``,
  ``whoosh.reading.TermNotFound``, ``whoosh.util.numeric.byte_to_length``; a leaf reader's
  ``_terms`` (``term_info``, ``_postfile``) and ``_perdoc``; the block matcher's
  ``_read_data``, ``_next_block``, ``_data``, ``_byteids``, ``_maxid``, ``_read_ids``,
  ``_read_weights``, ``_read_values``, ``_ids``, ``_values``, ``_blocklength``, ``_i``; and
  the layout of ``Positions`` values (a 4-byte count, then a pickled list of deltas).
- ``pool``: ``PackedPostings``, a drop-in for ``whoosh.writing.PostingPool`` (``add``,
  ``iter_postings``, ``cleanup``).
- ``column_arrays``: columns read straight from the segment files. Uses
  ``whoosh.columns.NumericColumn.Reader`` (``_typecode``, ``_count``, ``_fixedlen``,
  ``_dbfile``, ``_basepos``, ``_default``) and ``whoosh.columns.RefBytesColumn.Reader``
  (``_typecode``, ``_itemsize``, ``_dbfile``, ``_basepos``, ``_uniques``); re-exports the column
  types the schema declares (``RefBytesColumn``, ``VarBytesColumn``).

May import: Whoosh (any module), numpy and ``search.models``; nothing else of newsdex.
"""
