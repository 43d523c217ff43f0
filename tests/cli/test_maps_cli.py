"""`paperboy map build`: builds and caches maps, leaves current ones alone, says which
papers have no embedding, and fails with `Error: ...` on a bad period or no arguments."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperboy.cli import cli
from paperboy.config import Settings
from paperboy.maps.service import map_model
from paperboy.store import Store


@pytest.fixture
def runner(settings: Settings, loaded_store: Store, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI on the fixture data folder (37 papers with embeddings)."""
    monkeypatch.setenv("PAPERBOY_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("PAPERBOY_MODEL_DIR", str(settings.model_dir))
    monkeypatch.delenv("PAPERBOY_DATABASE_URL", raising=False)
    return CliRunner()


def test_build_a_week_then_find_it_current(
    runner: CliRunner, loaded_store: Store, settings: Settings
) -> None:
    first = runner.invoke(cli, ["map", "build", "--period", "2026-W27"])
    assert first.exit_code == 0, first.output
    assert "2026-W27: 25 papers, 5 topics, 0 rising; built in" in first.output
    cached = loaded_store.maps.cached_map("2026-W27", map_model(settings))
    assert cached is not None and cached.papers == 25
    again = runner.invoke(cli, ["map", "build", "--period", "2026-W27"])
    assert "cached map is current" in again.output
    forced = runner.invoke(cli, ["map", "build", "--period", "2026-w27", "--force"])
    assert "built in" in forced.output
    rebuilt = loaded_store.maps.cached_map("2026-W27", map_model(settings))
    assert rebuilt is not None and rebuilt.payload["papers"] == cached.payload["papers"]


def test_all_recent(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["map", "build", "--all-recent"])
    assert result.exit_code == 0, result.output
    keys = re.findall(r"^(\d{4}-(?:W\d\d|\d\d(?:-\d\d)?)): ", result.stdout, re.MULTILINE)
    assert keys == ["2026-06-30", "2026-W27", "2026-W26", "2026-06", "2026-05"]
    assert "2026-05: no papers in this period" in result.output


def test_missing_embeddings_are_reported(
    runner: CliRunner, loaded_store: Store, settings: Settings
) -> None:
    day = date(2026, 6, 30)
    on_the_day = loaded_store.maps.period_papers(map_model(settings), 384, day, day)
    loaded_store.embeddings.delete_embeddings(map_model(settings))
    result = runner.invoke(cli, ["map", "build", "--period", "2026-06-30"])
    assert result.exit_code == 0, result.output
    assert "2026-06-30: no paper with an embedding yet (13 papers have none" in result.output
    assert len(on_the_day.arxiv_ids) == 13


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["map", "build"], "--period PERIOD"),
        (["map", "build", "--period", "2026-W99"], "has no week 99"),
    ],
)
def test_errors(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "Error" in result.output and message in result.output


def test_help_has_an_example(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["map", "build", "--help"])
    assert "paperboy map build --period 2026-W26" in result.output
