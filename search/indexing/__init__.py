"""Indexing: stories in, an on-disk index out, and everything that defines that index.

``analysis`` and ``schema`` say what a document is; ``indexer`` builds and updates
generations (``writers``: the forked segment writers; ``disk``: disk space; ``report``: what a
run did); ``generations``: the index folder, the atomic switch and the locks; ``manifest``:
what each build read; ``index_format``: the format number and checksums; ``integrity``:
``newsdex check``. ``whoosh_private`` is the fence around the code that relies on Whoosh
2.7.4's private internals.

May import: ``search.models``, ``search.errors``, ``search.readers``, ``search.ingest`` and
Whoosh; only ``whoosh_private`` may import Whoosh's private modules. Never
``search.searching`` nor ``search.interface``.
"""
