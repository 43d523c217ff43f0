"""``paperboy ingest ...``: load papers from files and sources."""

from __future__ import annotations

import json
from pathlib import Path

import click

from paperboy.cli.main import AppContext, cli, pass_app
from paperboy.ingest.demo import load_demo
from paperboy.ingest.jsonl import BATCH_SIZE, FORMATS, ingest_jsonl
from paperboy.ingest.report import IngestReport


@cli.group()
def ingest() -> None:
    """Load papers into the database (re-running any of these is safe).

    \b
    Example:
      paperboy ingest jsonl ../shared/data/arxiv-2025-2026.jsonl.gz
    """


def echo_report(report: IngestReport, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo(report.summary())


json_option = click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")


@ingest.command("jsonl")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Record shape; auto detects paperboy, Kaggle snapshot and Hugging Face records.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=BATCH_SIZE,
    show_default=True,
    help="Records per transaction.",
)
@json_option
@pass_app
def ingest_jsonl_command(
    app: AppContext, path: Path, fmt: str, batch_size: int, as_json: bool
) -> None:
    """Load a JSON Lines file (plain or .gz) of papers.

    Reads paperboy's bulk format, the Kaggle arXiv metadata snapshot and Hugging Face
    daily-paper records. Bad lines are skipped and listed; the rest is stored.

    \b
    Example:
      paperboy ingest jsonl ../shared/data/arxiv-2025-2026.jsonl.gz
      paperboy ingest jsonl arxiv-metadata-oai-snapshot.json --format kaggle
    """
    echo_report(ingest_jsonl(app.store, path, fmt=fmt, batch_size=batch_size), as_json)


@ingest.command("demo")
@json_option
@pass_app
def ingest_demo_command(app: AppContext, as_json: bool) -> None:
    """Load the bundled demo papers (a few thousand recent arXiv papers).

    \b
    Example:
      paperboy ingest demo
    """
    echo_report(load_demo(app.store), as_json)
