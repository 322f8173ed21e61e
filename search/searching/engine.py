"""``Engine``: the one place a searcher is open. Requests in, plain records out.

An engine follows an index folder: on every call it checks which generation is live and, when
``newsdex build`` has switched to a new one, opens that and lets the old one go (no restart).
Per generation (``generation.Generation``) it keeps the searcher, the numpy matcher with its
cache of scored posting lists, and the facet columns; a search (``results.search``) then costs
set operations over arrays, a few stored documents for the page of hits, and snippets made
from those documents' text. ``story.story`` answers for one story, ``grouping.cluster`` for
one cluster.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from search.coverage_models import Coverage, CoverageRequest
from search.errors import IndexCorrupt, IndexFormatError, IndexMissing, NewsdexError
from search.indexing.generations import IndexDir, hold_current, remove_unused_generations
from search.models import ClusterDetail, SearchRequest, SearchResults, StoryDetail
from search.searching import coverage, export, grouping, results, story
from search.searching.budget import Budget
from search.searching.export import Export
from search.searching.generation import Generation, diagnose, live_name, open_generation
from search.searching.stats import index_stats

log = logging.getLogger("newsdex.engine")

WATCH_SECONDS = 5.0
"""How often an idle engine looks for a newer generation, to let go of the one it holds."""
HEALTH_WAIT = 0.5
"""How long ``/healthz`` waits for a busy engine before it reports on the running search."""
STUCK_SECONDS = 5.0
"""A search running this long means the engine is stuck (budgets keep searches far below)."""


class Engine:
    """Searches the live generation of the index at ``index_dir``. Safe to share between
    threads (calls take turns); each worker process makes its own."""

    def __init__(self, index_dir: str | Path) -> None:
        self.index = IndexDir(index_dir)
        self._open: Generation | None = None
        self._lock = threading.RLock()
        self._busy_since: float | None = None
        self._unopenable: IndexCorrupt | None = None
        """Why the live generation could not be opened: not tried again until it changes."""
        self._closed = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def generation(self) -> str:
        with self._lock:
            return self._current().name

    @property
    def story_count(self) -> int:
        with self._lock:
            return self._current().matcher.live_count

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            if self._open is not None:
                self._open.close()
                self._open = None

    def health(self) -> dict[str, Any]:
        """``{"ok": bool, "generation", "stories"}``, or ``ok`` false with an ``error`` that
        says what is wrong: no index, a damaged generation, a search stuck for seconds.

        Never waits long for a busy engine: it then reports on the search that holds it."""
        if not self._lock.acquire(timeout=HEALTH_WAIT):
            return _busy(self._busy_since, self._open)
        try:
            return _health(self.index, self._current)
        finally:
            self._lock.release()

    def stats(self) -> dict[str, Any]:
        """What ``newsdex stats --json`` prints."""
        return index_stats(self.index.path)

    def search(
        self,
        request: SearchRequest,
        now: datetime | None = None,
        *,
        facets: bool = True,
        snippets: bool = True,
        budget: Budget | None = None,
    ) -> SearchResults:
        """Run one search; ``now`` (naive UTC) anchors relative dates like ``when:7d``.

        ``facets=False`` leaves out facet counts and the histogram, ``snippets=False`` the
        highlighting (benchmarks compare the bare search with the full one). ``budget``
        defaults to ``search.searching.budget.SEARCH_SECONDS`` from now."""
        started = time.perf_counter()
        now = now or datetime.now(UTC).replace(tzinfo=None)
        budget = budget or Budget()
        with self._working() as gen:
            return results.search(
                gen, request, now, budget, facets=facets, snippets=snippets, started=started
            )

    @contextlib.contextmanager
    def export(self, request: SearchRequest, now: datetime | None = None) -> Iterator[Export]:
        """Every match of ``request``, read as the block consumes them; the engine is held
        until the block ends (and ``health`` does not count that as a stuck search)."""
        with self._working(watched=False) as gen:
            yield export.export(gen, request, now or _utcnow(), Budget())

    def coverage(self, request: CoverageRequest, now: datetime | None = None) -> Coverage:
        """Matches per interval, by source or topic, for up to three queries."""
        with self._working() as gen:
            return coverage.coverage(gen, request, now or _utcnow())

    def story(self, story_id: str, q: str = "") -> StoryDetail:
        """A story in full with the terms of ``q`` marked; ``StoryNotFound`` if none has the id."""
        with self._working() as gen:
            return story.story(gen, story_id, q)

    def cluster(self, cluster_id: str) -> ClusterDetail:
        """Every story of a cluster by time; ``ClusterNotFound`` if none has the id."""
        with self._working() as gen:
            return grouping.cluster(gen.searcher, gen.matcher.live, cluster_id)

    # --- the live generation -------------------------------------------------------------------

    @contextlib.contextmanager
    def _working(self, watched: bool = True) -> Iterator[Generation]:
        """The live generation, held for one request; a failure to read its files becomes
        ``IndexCorrupt`` (and the generation's ``fault``) when the files prove damaged.
        ``watched``: whether ``health`` reports the request as stuck after ``STUCK_SECONDS``."""
        with self._lock:
            self._busy_since = time.monotonic() if watched else None
            gen = None
            try:
                gen = self._current()
                yield gen
            except NewsdexError:
                raise
            except Exception as err:
                if gen is None:
                    raise
                fault = diagnose(gen, err)
                if fault is None:
                    raise  # not the files: a bug, logged and answered as one
                gen.fault = fault
                log.error("index generation %s is damaged: %s", gen.name, fault)
                raise IndexCorrupt(gen.name, fault) from err
            finally:
                self._busy_since = None

    def _current(self) -> Generation:
        live = live_name(self.index)
        if self._open is not None and self._open.name == live:
            return self._open
        if live is None:
            self.index.current()  # raises IndexMissing with the message people need
        if self._unopenable is not None and self._unopenable.generation == live:
            raise self._unopenable
        held = hold_current(self.index)
        try:
            opened = open_generation(held)
        except IndexCorrupt as err:
            held.close()
            self._unopenable = err
            raise
        except Exception:
            held.close()
            raise
        self._unopenable = None
        if self._open is not None:
            self._open.close()
            remove_unused_generations(self.index)
        self._open = opened
        if self._watcher is None:
            self._watcher = threading.Thread(
                target=_watch, args=(self,), name="newsdex-watch", daemon=True
            )
            self._watcher.start()
        return opened


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _watch(engine: Engine) -> None:
    """Switch to a new generation while the engine idles: an idle worker must not keep
    an old index on disk for hours, and the next search must not wait for the switch."""
    while not engine._closed.wait(WATCH_SECONDS):
        if not engine._lock.acquire(blocking=False):
            continue
        try:
            gen = engine._open
            if gen is not None and live_name(engine.index) != gen.name:
                # Opening the new one lets go of the old one; done here, the next
                # search does not pay for it.
                engine._current()
        except Exception:  # a watcher must never take the worker down
            log.exception("releasing an old generation of %s failed", engine.index.path)
        finally:
            engine._lock.release()


def _busy(since: float | None, gen: Generation | None) -> dict[str, Any]:
    """Health while a search holds the engine: fine, unless it has run for seconds."""
    busy = time.monotonic() - since if since is not None else 0.0
    body: dict[str, Any] = {"ok": busy < STUCK_SECONDS, "generation": gen.name if gen else None}
    body["busy_seconds"] = round(busy, 3)
    if busy >= STUCK_SECONDS:
        body["error"] = f"a search has been running for {busy:.1f} s"
    return body


def _health(index: IndexDir, current: Callable[[], Generation]) -> dict[str, Any]:
    """Health of the live generation (``current()`` opens it if need be)."""
    try:
        gen = current()
    except IndexMissing:
        return {"ok": False, "error": "no search index has been built yet"}
    except IndexFormatError as err:
        return {
            "ok": False,
            "generation": live_name(index),
            "error": f"the index was written in format {err.found}, this newsdex "
            f"reads format {err.expected}: rebuild needed",
        }
    except NewsdexError as err:
        return {"ok": False, "generation": live_name(index), "error": str(err)}
    if gen.fault:
        damaged = str(IndexCorrupt(gen.name, gen.fault))
        return {"ok": False, "generation": gen.name, "error": damaged}
    return {"ok": True, "generation": gen.name, "stories": gen.matcher.live_count}
