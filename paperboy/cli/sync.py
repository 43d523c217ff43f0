"""``paperboy sync ...``: refresh live sources (Hugging Face daily papers; GitHub's
command is in ``cli/code.py``)."""

from __future__ import annotations

import json
from datetime import date

import click

from paperboy.cli.main import AppContext, cli, pass_app
from paperboy.errors import BadRequest
from paperboy.ingest.hf_sync import MAX_DAYS, sync_hf


@cli.group()
def sync() -> None:
    """Refresh live sources; safe to run from cron, alongside the service.

    \b
    Examples:
      paperboy sync hf --days 7
      paperboy sync github --limit 500
    """


@sync.command("hf")
@click.option(
    "--days",
    type=click.IntRange(1, MAX_DAYS),
    default=7,
    show_default=True,
    help="How many daily lists to fetch, ending with --until.",
)
@click.option("--until", metavar="YYYY-MM-DD", help="Last day to fetch [default: today, UTC].")
@click.option("--no-index", is_flag=True, help="Do not update the keyword index afterwards.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_app
def sync_hf_command(
    app: AppContext, days: int, until: str | None, no_index: bool, as_json: bool
) -> None:
    """Fetch Hugging Face daily papers of the last N days and refresh their HF counts.

    Papers are added or updated, and HF's upvote and comment counts, submitter,
    featured day, code and project links and AI summary are refreshed on every run
    (kept apart from this instance's own votes). Each day is stored in one
    transaction; an unchanged day (HTTP 304 to our ETag) costs nothing. When HF
    cannot be reached this prints `Error: Hugging Face unreachable ...` and exits 1.

    \b
    Example:
      paperboy sync hf
      paperboy sync hf --days 30 --until 2024-03-05
      # cron, every 3 hours:  0 */3 * * *  paperboy sync hf
    """
    last: date | None = None
    if until is not None:
        try:
            last = date.fromisoformat(until)
        except ValueError:
            raise BadRequest(f"--until must be a date YYYY-MM-DD, not {until!r}") from None
    report = sync_hf(app.store, app.settings, days=days, until=last)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo(report.summary())
    if not no_index and report.papers.added + report.papers.updated:
        from paperboy.search.service import SearchService

        indexed = SearchService(app.settings, app.store).update(embed=False).indexed
        click.echo(
            f"keyword index: {indexed if indexed is not None else 'busy'} papers indexed",
            err=True,
        )
