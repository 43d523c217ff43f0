"""Settings: documented, validated, and read from the environment and a TOML file."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperboy.config import Settings, load_settings, settings_table
from paperboy.errors import ConfigError
from tests.support import ROOT


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    assert settings_table() in readme, "README table is stale: paste `paperboy config docs`"
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no help text"
        assert f"`PAPERBOY_{name.upper()}`" in readme


def test_defaults_use_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve()}/paperboy.db"


def test_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOY_PORT", "9001")
    monkeypatch.setenv("PAPERBOY_DATABASE_URL", "postgresql+psycopg://u@h/db")
    settings = load_settings()
    assert settings.port == 9001
    assert settings.resolved_database_url == "postgresql+psycopg://u@h/db"


def test_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "paperboy.toml"
    config.write_text('base_url = "https://papers.example.org"\npage_size = 20\n')
    monkeypatch.setenv("PAPERBOY_CONFIG", str(config))
    monkeypatch.setenv("PAPERBOY_PAGE_SIZE", "30")  # the environment wins over the file
    settings = load_settings()
    assert settings.base_url == "https://papers.example.org" and settings.page_size == 30


def test_missing_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PAPERBOY_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings()


@pytest.mark.parametrize("secret", ["change-me", "secret", "", "short-but-not-placeholder"])
def test_placeholder_secret_is_refused_outside_development(secret: str) -> None:
    with pytest.raises(ConfigError, match="PAPERBOY_SECRET_KEY"):
        load_settings(environment="production", secret_key=secret)


def test_real_secret_is_accepted_in_production() -> None:
    settings = load_settings(environment="production", secret_key="x7" * 24)
    assert settings.environment == "production"


def test_invalid_values_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOY_PORT", "eighty")
    with pytest.raises(ConfigError, match="PAPERBOY_PORT"):
        load_settings()
