"""``paperboy tldr backfill``: the one-line summary of every stored paper."""

from __future__ import annotations

import click

from paperboy.cli.main import AppContext, cli, pass_app
from paperboy.feed.tldr import backfill_tldrs


@cli.group()
def tldr() -> None:
    """One-sentence TL;DRs chosen from the abstracts (docs/tldr.md).

    \b
    Example:
      paperboy tldr backfill
    """


@tldr.command("backfill")
@pass_app
def tldr_backfill(app: AppContext) -> None:
    """Choose the TL;DR sentence of every stored paper again (safe to repeat).

    New and changed papers get theirs when they are ingested; this is for papers stored
    before (or after the method changed). Offline, about 2 ms a paper.

    \b
    Example:
      paperboy tldr backfill
    """
    click.echo(backfill_tldrs(app.store).summary())
