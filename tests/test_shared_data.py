"""The suite runs without ../shared/data: every test that reads it skips, saying which
file is missing, and nothing fails or errors (collection included: the modules that
name the data are collected and run without it; no other module names it)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from paperboy.search.embed import load_embedder
from tests.support import ROOT, SHARED_MODEL_ENV

# Every test module that reads the shared data (tests/support.py's SHARED_DATA and the
# recorded arXiv responses of tests/ingest/source_server.py).
USERS = [
    "tests/ingest/test_oai.py",
    "tests/ingest/test_harvest_scheduler.py",
    "tests/ingest/test_atom.py",
    "tests/ingest/test_source_cli.py",
    "tests/ingest/test_jsonl.py",
    "tests/web/test_submissions.py::test_refusals_are_shown_on_the_form",
    "tests/ingest/test_demo_signal.py",
    "tests/test_ingest_equivalence.py",
]


def uses_shared_data(path: Path) -> bool:
    text = path.read_text()
    return bool(
        re.search(r"\b(SHARED_DATA|shared_file|require_shared|OAI_DIR|ATOM_SCIENCE)\b", text)
    )


def test_the_list_above_names_every_module_that_reads_shared_data() -> None:
    found = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("test_*.py")
        if uses_shared_data(path) and path.name != "test_shared_data.py"
    }
    listed = {user.split("::")[0] for user in USERS}
    assert found <= listed, f"add to USERS: {sorted(found - listed)}"


@pytest.mark.slow
def test_without_shared_data_its_tests_skip_and_collection_works(
    tmp_path: Path, model_dir: Path
) -> None:
    load_embedder(model_dir)  # exported here once, not again by the run below
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PAPERBOY_TEST_SHARED_DATA": str(tmp_path / "no-such-folder"),
        SHARED_MODEL_ENV: str(model_dir),
    }
    env.pop("PAPERBOY_TEST_POSTGRES_URL", None)  # SQLite is enough here
    pytest_cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]
    # Only the modules that name the shared data (the test above keeps the list whole)
    # run here; they import the shared helpers (tests/support.py, source_server.py), so
    # a helper reading the data at import fails here too. (Collecting the whole tree
    # as well took 22 s alone and 40 s or more in the suite.)
    run = subprocess.run(
        [*pytest_cmd, "-rs", "-m", "not slow and not browser", *USERS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = run.stdout.strip().splitlines()[-1]
    assert run.returncode == 0, run.stdout[-5000:]
    assert "failed" not in summary and "error" not in summary, summary
    assert "skipped" in summary and "no-such-folder" in run.stdout, summary
