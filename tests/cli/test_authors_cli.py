"""``paperboy authors show`` and ``paperboy authors backfill`` on the fixture papers."""

from __future__ import annotations

from click.testing import CliRunner

from paperboy.cli.main import cli
from paperboy.store import Store


def test_cli_shows_and_backfills(loaded_store: Store) -> None:
    env = {"PAPERBOY_DATABASE_URL": str(loaded_store.engine.url)}
    runner = CliRunner()
    shown = runner.invoke(cli, ["authors", "show", "maelle gautrin"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "Maëlle Gautrin: 1 papers" in shown.output and "2606.28773" in shown.output
    missing = runner.invoke(cli, ["authors", "show", "Nobody Atall"], env=env)
    assert missing.exit_code == 1 and "Error: no papers by an author" in missing.output
    filled = runner.invoke(cli, ["authors", "backfill"], env=env)
    assert filled.exit_code == 0 and filled.output.startswith("37 papers")
