"""Entry point and shared plumbing of the ``paperboy`` command.

Expected failures (PaperboyError) print ``Error: ...`` and exit 1, never a traceback.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from paperboy.config import Settings, load_settings, settings_table, unknown_env_warnings
from paperboy.errors import PaperboyError
from paperboy.logs import configure_logging
from paperboy.store import Store
from paperboy.store.db import DatabaseError, masked_url

log = logging.getLogger("paperboy.cli")


class PaperboyGroup(click.Group):
    """Turns every failure into `Error: ...` and exit 1; the traceback of an unexpected
    one goes to the log at DEBUG (PAPERBOY_LOG_LEVEL=DEBUG shows it)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except PaperboyError as exc:
            raise click.ClickException(exc.detail) from None
        except DatabaseError as exc:
            log.debug("database error", exc_info=True)
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise click.ClickException(f"database error: {reason[:300]}") from None
        except OSError as exc:
            log.debug("system error", exc_info=True)
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            log.debug("unexpected error", exc_info=True)
            raise click.ClickException(
                f"unexpected {type(exc).__name__}: {exc} "
                "(PAPERBOY_LOG_LEVEL=DEBUG shows the details)"
            ) from None


class AppContext:
    """Settings and store, created lazily so ``--help`` works without a database."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._store: Store | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
            configure_logging(self._settings.log_level, self._settings.log_format)
            for warning in unknown_env_warnings():
                log.warning("%s", warning)
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.settings.resolved_database_url)
        return self._store


pass_app = click.make_pass_decorator(AppContext, ensure=True)


@click.group(cls=PaperboyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="paperboy")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """paperboy: self-hostable research-paper discovery.

    Settings come from PAPERBOY_* environment variables (see `paperboy config docs`).

    \b
    Example:
      paperboy ingest jsonl ../shared/data/arxiv-2025-2026.jsonl.gz
      paperboy serve --port 8000
    """
    ctx.ensure_object(AppContext)


@cli.group()
def config() -> None:
    """Show and document settings.

    \b
    Example:
      paperboy config show
    """


@config.command("show")
@pass_app
def config_show(app: AppContext) -> None:
    """Print the effective settings (secrets masked).

    \b
    Example:
      PAPERBOY_PORT=9000 paperboy config show
    """
    for name, value in app.settings.model_dump().items():
        if name in {"secret_key", "smtp_password", "github_token", "metrics_token"} and value:
            value = "********"
        elif name == "database_url" and value:
            value = masked_url(value)
        click.echo(f"PAPERBOY_{name.upper()}={value if value is not None else ''}")
    click.echo(f"# database: {masked_url(app.settings.resolved_database_url)}")


@config.command("docs")
def config_docs() -> None:
    """Print the Markdown table of every setting (the README embeds it).

    \b
    Example:
      paperboy config docs > settings.md
    """
    click.echo(settings_table())


@cli.group()
def db() -> None:
    """Manage the database schema.

    \b
    Example:
      paperboy db upgrade
    """


@db.command("upgrade")
@pass_app
def db_upgrade(app: AppContext) -> None:
    """Create or migrate the schema to the newest version (safe to repeat).

    \b
    Example:
      PAPERBOY_DATABASE_URL=postgresql+psycopg://paperboy@localhost/paperboy paperboy db upgrade
    """
    store = app.store
    click.echo(f"schema is current; {store.papers.count_papers()} papers stored")


def main() -> None:
    try:
        cli.main(prog_name="paperboy")
    except KeyboardInterrupt:
        click.echo("Error: interrupted", err=True)
        sys.exit(130)


# Subcommands register themselves on import.
from paperboy.cli import authors as _authors  # noqa: E402, F401
from paperboy.cli import code as _code  # noqa: E402
from paperboy.cli import digest as _digest  # noqa: E402
from paperboy.cli import ingest as _ingest  # noqa: E402
from paperboy.cli import jobs as _jobs  # noqa: E402
from paperboy.cli import maps as _maps  # noqa: E402
from paperboy.cli import mcp as _mcp  # noqa: E402
from paperboy.cli import operations as _operations  # noqa: E402
from paperboy.cli import search as _search  # noqa: E402
from paperboy.cli import serve as _serve  # noqa: E402
from paperboy.cli import sync as _sync  # noqa: E402
from paperboy.cli import tldr as _tldr  # noqa: E402
from paperboy.cli import users as _users  # noqa: E402
from paperboy.cli import worker as _worker  # noqa: E402

__all__ = [
    "_code",
    "_digest",
    "_ingest",
    "_jobs",
    "_maps",
    "_mcp",
    "_operations",
    "_search",
    "_serve",
    "_sync",
    "_tldr",
    "_users",
    "_worker",
    "cli",
    "main",
]
