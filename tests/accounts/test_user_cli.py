"""`paperboy user create/list/suspend/unsuspend`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from paperboy.cli import cli


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("PAPERBOY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PAPERBOY_DATABASE_URL", raising=False)
    return CliRunner()


def test_create_admin_then_list(runner: CliRunner) -> None:
    empty = runner.invoke(cli, ["user", "list"])
    assert empty.exit_code == 0 and "no accounts yet" in empty.output
    made = runner.invoke(cli, ["user", "create", "--admin", "--name", "Root", "Root@Example.org"])
    assert made.exit_code == 0, made.output
    assert "created admin root@example.org" in made.output
    curator = runner.invoke(cli, ["user", "create", "--curator", "cur@example.org"])
    assert curator.exit_code == 0 and "created curator" in curator.output
    reader = runner.invoke(cli, ["user", "create", "r@example.org"])
    assert "created reader" in reader.output
    listed = runner.invoke(cli, ["user", "list"])
    assert listed.exit_code == 0
    lines = listed.output.strip().splitlines()
    assert lines[0].split("\t")[1:] == ["root@example.org", "admin", "Root"]
    assert len(lines) == 3


def test_duplicate_and_bad_addresses_are_errors(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["user", "create", "a@example.org"]).exit_code == 0
    again = runner.invoke(cli, ["user", "create", "A@example.org"])
    assert again.exit_code == 1 and "already exists" in again.output
    bad = runner.invoke(cli, ["user", "create", "nope"])
    assert bad.exit_code == 1 and bad.output.startswith("Error: ")


def test_suspend_and_unsuspend(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["user", "create", "spam@example.org"]).exit_code == 0
    suspended = runner.invoke(cli, ["user", "suspend", "Spam@Example.org"])
    assert suspended.exit_code == 0, suspended.output
    assert "suspended spam@example.org" in suspended.output
    assert "(suspended)" in runner.invoke(cli, ["user", "list"]).output
    lifted = runner.invoke(cli, ["user", "unsuspend", "spam@example.org"])
    assert lifted.exit_code == 0 and "unsuspended spam@example.org" in lifted.output
    assert "(suspended)" not in runner.invoke(cli, ["user", "list"]).output
    unknown = runner.invoke(cli, ["user", "suspend", "nobody@example.org"])
    assert unknown.exit_code == 1 and unknown.output.startswith("Error: no account")
