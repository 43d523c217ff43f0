"""The command line: help with examples everywhere, `Error: ...` instead of tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from paperboy.cli import cli
from tests.support import SMALL_PAPERS


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += all_commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("PAPERBOY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PAPERBOY_DATABASE_URL", raising=False)
    return CliRunner()


@pytest.mark.parametrize("command", all_commands(cli), ids=lambda c: " ".join(c) or "paperboy")
def test_every_command_has_help_with_an_example(
    runner: CliRunner, command: tuple[str, ...]
) -> None:
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output and "paperboy" in result.output


def test_ingest_jsonl_twice(runner: CliRunner) -> None:
    first = runner.invoke(cli, ["ingest", "jsonl", str(SMALL_PAPERS)])
    assert first.exit_code == 0, first.output
    assert "37 added, 0 updated, 0 unchanged, 0 skipped" in first.output
    second = runner.invoke(cli, ["ingest", "jsonl", str(SMALL_PAPERS), "--json"])
    assert json.loads(second.stdout)["unchanged"] == 37


def test_missing_file_is_an_error_not_a_traceback(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["ingest", "jsonl", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "Traceback" not in result.output


def test_bad_setting_is_an_error(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOY_DATABASE_URL", "mysql://nope")
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    assert "not supported" in result.output


def test_placeholder_secret_in_production_stops_the_cli(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERBOY_ENVIRONMENT", "production")
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 1 and "PAPERBOY_SECRET_KEY" in result.output


def test_config_show_masks_secrets(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOY_SMTP_PASSWORD", "hunter2")
    result = runner.invoke(cli, ["config", "show"])
    assert result.exit_code == 0 and "hunter2" not in result.output
    assert "PAPERBOY_SMTP_PASSWORD=********" in result.output


def test_demo_set_loads(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["ingest", "demo", "--json"])
    report = json.loads(result.stdout)
    assert 2000 <= report["added"] <= 5000 and report["skipped"] == []


def test_unreachable_database_is_an_error_not_a_traceback(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERBOY_DATABASE_URL", "postgresql+psycopg://u:secret@127.0.0.1:1/x")
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 1 and result.output.startswith("Error: database error")
    assert "Traceback" not in result.output and "secret" not in result.output


def test_config_show_masks_the_database_password(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERBOY_DATABASE_URL", "postgresql+psycopg://u:S3cretPW@db/paperboy")
    result = runner.invoke(cli, ["config", "show"])
    assert result.exit_code == 0 and "S3cretPW" not in result.output


def test_ingest_with_nothing_usable_exits_1_and_gives_each_reason_once(
    runner: CliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"nope": \n[1, 2]\nnot json at all\n')
    result = runner.invoke(cli, ["ingest", "jsonl", str(bad)])
    assert result.exit_code == 1
    assert "0 added, 0 updated, 0 unchanged, 3 skipped" in result.stdout
    assert "Error: nothing usable: all 3 records were skipped" in result.stderr
    everything = result.stdout + result.stderr
    for line in (1, 2, 3):
        assert everything.count(f"skipped line {line}:") == 1, everything


def test_ingest_with_some_usable_lines_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(SMALL_PAPERS.read_text().splitlines()[0] + "\nnot json\n")
    result = runner.invoke(cli, ["ingest", "jsonl", str(mixed), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["added"] == 1 and len(report["skipped"]) == 1
