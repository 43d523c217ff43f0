"""Paths and helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
# ../shared/data beside the repository; PAPERBOY_TEST_SHARED_DATA points elsewhere (the
# test that the suite runs without it sets a folder that does not exist).
SHARED_DATA = Path(os.environ.get("PAPERBOY_TEST_SHARED_DATA") or ROOT.parent / "shared" / "data")
SMALL_PAPERS = FIXTURES / "papers-small.jsonl"
# A folder with the exported embedding model, for a pytest run that a test starts (conftest).
SHARED_MODEL_ENV = "PAPERBOY_TEST_MODEL_DIR"


def require_shared(path: Path) -> Path:
    """``path``, a file of the shared data; the test skips (saying which) when it is
    absent. Read shared files only through this, in a test or fixture, never at import
    time (a missing file would break collection of the whole suite)."""
    if not path.exists():
        pytest.skip(f"shared data file {path} is missing")
    return path


def shared_file(name: str) -> Path:
    """A file of the shared data folder; the test skips when it is absent."""
    return require_shared(SHARED_DATA / name)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(app: Any, port: int | None = None) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on localhost in a thread; yields its base URL."""
    import uvicorn

    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def wait_until_up(
    url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 90
) -> None:
    """Wait for a server subprocess to answer 200 at ``url``; fail with its log if it
    exits or does not answer within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        assert server.poll() is None, log.read_text()
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
