"""``paperboy links backfill`` and ``paperboy sync github``."""

from __future__ import annotations

import json

import click

from paperboy.cli.main import AppContext, cli, pass_app
from paperboy.cli.sync import sync
from paperboy.ingest.codelinks import backfill_links
from paperboy.ingest.github import sync_github


@cli.group()
def links() -> None:
    """Code and project links found in papers.

    \b
    Example:
      paperboy links backfill
    """


@links.command("backfill")
@pass_app
def links_backfill(app: AppContext) -> None:
    """Extract code and project links for every stored paper (safe to repeat).

    New papers get their links when they are ingested; this is for papers stored before
    (or after the extraction rules changed). No network.

    \b
    Example:
      paperboy links backfill
    """
    click.echo(backfill_links(app.store).summary())


@sync.command("github")
@click.option(
    "--limit", type=click.IntRange(1), default=None, help="Ask about at most this many repos."
)
@click.option(
    "--force", is_flag=True, help="Also ask about repositories checked in the last hours."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_app
def sync_github_command(app: AppContext, limit: int | None, force: bool, as_json: bool) -> None:
    """Fetch stars, last push, licence and archived flag of linked GitHub repositories.

    Off unless PAPERBOY_GITHUB_SYNC=true. Repositories of recent, most upvoted papers go
    first; a run stopped by GitHub's rate limit says when it resumes, and the next run
    continues where it stopped. Conditional requests (ETag) make unchanged repositories
    free.

    \b
    Example:
      PAPERBOY_GITHUB_SYNC=true PAPERBOY_GITHUB_TOKEN=github_pat_... paperboy sync github
    """
    report = sync_github(app.store, app.settings, limit=limit, force=force)
    click.echo(json.dumps(report.as_dict(), indent=2) if as_json else report.summary())
