"""``paperboy authors backfill`` and ``paperboy authors show NAME``."""

from __future__ import annotations

import click

from paperboy.cli.main import AppContext, cli, pass_app
from paperboy.feed.authors import author_page


@cli.group()
def authors() -> None:
    """Author names: the tables behind /author/{name} and the author: filter.

    \b
    Example:
      paperboy authors show "Yann LeCun"
    """


@authors.command("backfill")
@pass_app
def authors_backfill(app: AppContext) -> None:
    """Re-derive the author rows of every stored paper (safe to repeat).

    New papers get theirs when they are ingested, and migration 0015 filled them for the
    papers stored before it; run this after the name rule changed. No network.

    \b
    Example:
      paperboy authors backfill
    """
    done = app.store.authors.backfill()
    click.echo(f"{done:,} papers; {app.store.authors.count_names():,} distinct names")


@authors.command("show")
@click.argument("name")
@pass_app
def authors_show(app: AppContext, name: str) -> None:
    """What NAME matches: its spellings, paper count and newest papers (as /author/NAME).

    \b
    Example:
      paperboy authors show "J. Smith"
    """
    view = author_page(app.store, name, per_page=10)
    click.echo(f"{view.title}: {view.total:,} papers, {view.upvotes:,} upvotes received")
    click.echo("matched names: " + "; ".join(view.names[:20]))
    for paper in view.papers:
        click.echo(f"  {paper.announced or '          '}  {paper.arxiv_id}  {paper.title[:70]}")
