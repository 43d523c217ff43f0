"""Opening the store: concurrent first starts, and errors that name the database path."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperboy.cli import cli
from paperboy.errors import ConfigError
from paperboy.store import Store
from tests.support import ROOT

# Each process imports the store, says it is ready, waits for the go file and opens the
# (empty) database: both migrate at the same moment.
OPEN_AT_ONCE = """
import sys, time
from pathlib import Path
from paperboy.store import Store
url, ready, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
ready.touch()
while not go.exists():
    time.sleep(0.001)
store = Store.open(url)
print(store.papers.count_papers())
"""


def open_at_once(
    url: str, folder: Path, processes: int = 2
) -> list[subprocess.CompletedProcess[str]]:
    go = folder / "go"
    readies = [folder / f"ready{i}" for i in range(processes)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AT_ONCE, url, str(ready), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for ready in readies
    ]
    deadline = time.monotonic() + 60
    while not all(r.exists() for r in readies) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


@pytest.mark.empty_database
def test_two_first_starts_on_an_empty_database_both_succeed(db_url: str, tmp_path: Path) -> None:
    """Both processes find no tables and migrate at once; the migration lock lets one
    create the schema while the other waits, then finds it current."""
    for result in open_at_once(db_url, tmp_path):
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.strip() == "0"
    store = Store.open(db_url)
    assert store.papers.count_papers() == 0
    store.close()


def test_a_database_path_that_is_a_folder_names_the_path(tmp_path: Path) -> None:
    """SQLite alone says "unable to open database file" (tests run as root, so a chmod'ed
    folder would not stop them: a folder where the file should be does)."""
    (tmp_path / "paperboy.db").mkdir()
    with pytest.raises(ConfigError) as caught:
        Store.open(f"sqlite:///{tmp_path / 'paperboy.db'}")
    assert f"cannot open database at {tmp_path / 'paperboy.db'}: " in caught.value.detail
    assert "unable to open database file" in caught.value.detail


def test_a_data_folder_under_a_file_names_the_path_in_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "file").write_text("not a folder")
    data = tmp_path / "file" / "data"
    monkeypatch.setenv("PAPERBOY_DATA_DIR", str(data))
    monkeypatch.delenv("PAPERBOY_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot open database at {data / 'paperboy.db'}: ")
    assert "Not a directory" in result.output and "Traceback" not in result.output


def test_a_database_folder_in_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "paperboy.db").mkdir()
    monkeypatch.setenv("PAPERBOY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERBOY_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot open database at {tmp_path / 'paperboy.db'}: ")
