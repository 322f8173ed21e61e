"""The fence: the code of newsdex that relies on Whoosh 2.7.4's private internals.

``segment_writer`` holds the on-disk codec (``BulkCodec``, pickled into every segment) and the
bulk segment writer; ``column_arrays`` reads columns straight from the segment files. Both can
break silently on any Whoosh but the pinned 2.7.4; the oracle tests (``tests/test_oracle.py``)
compare what they read with Whoosh's own results.

May import: Whoosh (any module) and numpy; nothing else of newsdex.
"""
