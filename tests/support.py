"""Paths and helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"
SMALL_PAPERS = FIXTURES / "papers-small.jsonl"


def shared_file(name: str) -> Path:
    """A file of ../shared/data; the test skips (saying which) when it is absent."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"shared data file {path} is missing")
    return path
