"""Progress for long work: a bar with rate and ETA on a terminal, plain lines otherwise.

Progress goes to stderr so that ``--json`` output on stdout stays clean.
"""

from __future__ import annotations

import sys
import time
from typing import IO

import tqdm

# tqdm's monitor thread would be alive when the indexer forks its workers.
tqdm.tqdm.monitor_interval = 0


class Progress:
    """Counts work done out of a known total; a context manager."""

    def __init__(
        self,
        total: int,
        label: str,
        unit: str,
        *,
        stream: IO[str] | None = None,
        enabled: bool = True,
        plain_every: float = 5.0,
    ) -> None:
        self.total, self.label, self.unit = total, label, unit
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.done = 0
        self._start = time.monotonic()
        self._last_line = self._start
        self._plain_every = plain_every
        self._bar = None
        if enabled and self.stream.isatty():
            self._bar = tqdm.tqdm(
                total=total,
                desc=label,
                unit=f" {unit}",
                file=self.stream,
                dynamic_ncols=True,
                smoothing=0.1,
            )

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        elif self.enabled:
            now = time.monotonic()
            if now - self._last_line >= self._plain_every:
                self._last_line = now
                self._print_line(now)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self.enabled and self.done:
            self._print_line(time.monotonic())
        self.enabled = False

    def _print_line(self, now: float) -> None:
        elapsed = max(now - self._start, 1e-9)
        rate = self.done / elapsed
        pct = f" ({self.done * 100 // self.total}%)" if self.total else ""
        eta = ""
        if rate and self.total > self.done:
            eta = f", about {(self.total - self.done) / rate:.0f} s left"
        print(
            f"{self.label}: {self.done:,}/{self.total:,} {self.unit}{pct}, "
            f"{rate:,.0f} {self.unit}/s{eta}",
            file=self.stream,
            flush=True,
        )
