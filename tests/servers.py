"""gunicorn started for real, with the repository's config, on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(index: Path, scratch: Path, *flags: str) -> Iterator[str]:
    """Serve ``index`` with ``gunicorn.conf.py`` (plus ``flags``) until the block ends; yields
    the base URL once ``/healthz`` answers. ``scratch`` holds its log and its $HOME (gunicorn
    >= 25.1 would put a control socket there)."""
    port = free_port()
    home = scratch / "home"
    home.mkdir(parents=True, exist_ok=True)
    log = scratch / "gunicorn.log"
    env = {**os.environ, "NEWSDEX_INDEX_DIR": str(index), "HOME": str(home)}
    env.pop("XDG_RUNTIME_DIR", None)
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "-b", f"127.0.0.1:{port}", *flags],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not become ready in 60 s:\n{log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
