"""``paperboy map build``: compute and cache topic maps (docs/maps.md)."""

from __future__ import annotations

import click

from paperboy.cli.main import AppContext, cli, pass_app
from paperboy.feed.periods import Period
from paperboy.maps.periods import parse_map_period
from paperboy.maps.service import BuildResult, build_period, recent_periods


@cli.group("map")
def map_group() -> None:
    """Topic maps of a day, week or month (/map).

    \b
    Example:
      paperboy map build --period 2026-W26
      paperboy map build --all-recent
    """


def _echo(result: BuildResult) -> None:
    if result.papers == 0 and not result.missing:
        click.echo(f"{result.key}: no papers in this period")
        return
    if result.papers == 0:
        click.echo(
            f"{result.key}: no paper with an embedding yet ({result.missing} papers have "
            "none: run `paperboy index update`)"
        )
        return
    what = f"built in {result.seconds:.1f} s" if result.rebuilt else "cached map is current"
    click.echo(
        f"{result.key}: {result.papers} papers, {result.clusters} topics, "
        f"{result.rising} rising; {what}"
    )
    if result.missing:
        click.echo(
            f"  {result.missing} papers of {result.key} have no embedding yet and are not on "
            "the map: run `paperboy index update`, then build again"
        )


@map_group.command("build")
@click.option(
    "--period",
    "periods",
    multiple=True,
    metavar="PERIOD",
    help="A day (2026-06-24), an ISO week (2026-W26) or a month (2026-06); repeatable.",
)
@click.option(
    "--all-recent",
    is_flag=True,
    help="The newest day with papers, its week and the week before, its month and the "
    "month before.",
)
@click.option("--force", is_flag=True, help="Rebuild even when the cached map is current.")
@pass_app
def map_build(app: AppContext, periods: tuple[str, ...], all_recent: bool, force: bool) -> None:
    """Build the topic maps of some periods and cache them in the database.

    A map whose papers and embeddings did not change since it was built is left as it
    is (unless --force). Safe to run from cron.

    \b
    Example:
      paperboy map build --period 2026-W26 --period 2026-06
      paperboy map build --all-recent
    """
    if not periods and not all_recent:
        raise click.UsageError("give --period PERIOD (one or more) or --all-recent")
    wanted: list[Period] = [parse_map_period(text) for text in periods]
    if all_recent:
        recent = recent_periods(app.store)
        if not recent:
            raise click.ClickException("no papers yet: ingest some first")
        wanted.extend(recent)
    for period in dict.fromkeys(wanted):
        _echo(build_period(app.store, app.settings, period, force=force))
