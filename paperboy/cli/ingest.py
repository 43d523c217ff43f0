"""``paperboy ingest ...``: load papers from files and sources."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import click

from paperboy.cli.main import AppContext, cli, pass_app
from paperboy.errors import BadRequest, InvalidInput, PaperboyError, SourceError
from paperboy.ingest.atom import fetch_arxiv_ids, normalize_ids
from paperboy.ingest.demo import load_demo
from paperboy.ingest.hf import ingest_hf_daily, ingest_hf_file
from paperboy.ingest.jsonl import BATCH_SIZE, FORMATS, ingest_jsonl
from paperboy.ingest.oai import harvest_oai, oai_state_key
from paperboy.ingest.report import IngestReport

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@cli.group()
@click.option("--no-index", is_flag=True, help="Do not update the keyword index after ingesting.")
@click.pass_context
def ingest(ctx: click.Context, no_index: bool) -> None:
    """Load papers into the database (re-running any of these is safe).

    Afterwards the keyword index is brought up to date; embeddings for semantic search
    follow in `paperboy serve` or with `paperboy index update`.

    \b
    Example:
      paperboy ingest jsonl ../shared/data/arxiv-2025-2026.jsonl.gz
    """
    ctx.meta["paperboy.no_index"] = no_index


@ingest.result_callback()
@click.pass_context
def _update_keyword_index(ctx: click.Context, /, *_args: object, **_kwargs: object) -> None:
    if ctx.meta.get("paperboy.no_index"):
        return
    app = ctx.find_object(AppContext)
    if app is None:
        return
    from paperboy.search.service import SearchService, model_key

    service = SearchService(app.settings, app.store)
    indexed = service.update(embed=False).indexed
    pending = app.store.embeddings.count_to_embed(model_key(app.settings.embedding_runtime))
    click.echo(
        f"keyword index: {indexed if indexed is not None else 'busy'} papers indexed; "
        f"{pending} papers wait for embedding (`paperboy index update`, or `paperboy serve`)",
        err=True,
    )


def echo_report(report: IngestReport, as_json: bool) -> None:
    """Print the report; exit 1 after it when every record was skipped (nothing usable:
    a wrong file or format should not look like success to a script)."""
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo(report.summary())
    if report.skipped and not report.usable and not report.error:
        raise InvalidInput(
            f"nothing usable: all {len(report.skipped)} records were skipped (reasons above)"
        )


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


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        if not _DATE.match(value.strip()):
            raise ValueError(value)
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{option} must be a date like 2025-03-18, not {value[:40]!r}") from None


def _finish(report: IngestReport, as_json: bool) -> None:
    """Print the report; a run that stopped early exits 1 after it."""
    echo_report(report, as_json)
    if report.error:
        raise SourceError(f"stopped early: {report.error}")


@ingest.command("oai")
@click.option("--set", "set_spec", metavar="SET", help="OAI set: cs, math, physics:hep-ex ...")
@click.option(
    "--from",
    "from_day",
    metavar="YYYY-MM-DD",
    help="First datestamp to harvest. Default: where the last complete harvest ended.",
)
@click.option("--until", "until_day", metavar="YYYY-MM-DD", help="Last datestamp to harvest.")
@click.option("--url", metavar="URL", help="OAI-PMH endpoint (default: PAPERBOY_ARXIV_OAI_URL).")
@json_option
@pass_app
def ingest_oai_command(
    app: AppContext,
    set_spec: str | None,
    from_day: str | None,
    until_day: str | None,
    url: str | None,
    as_json: bool,
) -> None:
    """Harvest arXiv metadata over OAI-PMH, page by page.

    Waits PAPERBOY_REQUEST_INTERVAL seconds between requests, as arXiv asks. Every
    page is committed with the harvest position: after a failure, run the same
    command again and it resumes where it stopped. Without --from, a harvest starts
    where the last complete one of the same set ended.

    \b
    Example:
      paperboy ingest oai --set cs --from 2025-03-01
      paperboy ingest oai --set cs
    """
    from_date = _parse_day(from_day, "--from")
    until = _parse_day(until_day, "--until")
    settings = app.settings
    if url is not None:
        if not url.startswith(("http://", "https://")):
            raise BadRequest(f"--url must be an http(s) URL, not {url[:80]!r}")
        settings = settings.model_copy(update={"arxiv_oai_url": url})
    if from_date is None and not app.store.papers.get_state(
        oai_state_key(settings.arxiv_oai_url, set_spec)
    ):
        # arXiv's whole history is millions of records: days of polite requests.
        raise InvalidInput(
            "the first harvest of a set needs --from YYYY-MM-DD; later runs start where "
            "the last one ended"
        )
    report = harvest_oai(app.store, settings, set_spec=set_spec, from_date=from_date, until=until)
    _finish(report, as_json)


def _read_id_file(path: Path) -> list[str]:
    if not path.is_file():
        raise PaperboyError(f"{path} is not a file")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@ingest.command("arxiv")
@click.argument("ids", nargs=-1, metavar="ID...")
@click.option(
    "--file",
    "id_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File with one arXiv id or URL per line (# starts a comment line).",
)
@json_option
@pass_app
def ingest_arxiv_command(
    app: AppContext, ids: tuple[str, ...], id_file: Path | None, as_json: bool
) -> None:
    """Fetch papers by arXiv id (or abs/pdf URL) from the arXiv API.

    Ids the API does not know are listed as skipped.

    \b
    Example:
      paperboy ingest arxiv 2503.11731 https://arxiv.org/abs/1706.03762v7
      paperboy ingest arxiv --file ids.txt
    """
    raw = [*ids, *(_read_id_file(id_file) if id_file else [])]
    if not raw:
        raise BadRequest("give at least one arXiv id (or --file)")
    wanted = normalize_ids(raw)
    _finish(fetch_arxiv_ids(app.store, app.settings, wanted), as_json)


@ingest.command("hf")
@click.argument("source", required=False, metavar="[PATH_OR_DATE]")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Fetch this day from the HF API.")
@json_option
@pass_app
def ingest_hf_command(app: AppContext, source: str | None, day: str | None, as_json: bool) -> None:
    """Load Hugging Face daily papers (with their upvotes).

    PATH_OR_DATE is a .json file (a list, as /api/daily_papers returns it), a
    .jsonl file (plain or .gz) or a date; --date YYYY-MM-DD also fetches that day
    from PAPERBOY_HF_DAILY_PAPERS_URL.

    \b
    Example:
      paperboy ingest hf --date 2024-03-05
      paperboy ingest hf daily-papers-2024-03-05.json
      paperboy ingest hf ../shared/data/hf-daily-papers-2024.jsonl
    """
    if source is not None and day is not None:
        raise BadRequest("give either a file or --date, not both")
    if source is not None and _DATE.match(source) and not Path(source).exists():
        day = source
    if day is not None:
        when = _parse_day(day, "--date")
        assert when is not None
        echo_report(ingest_hf_daily(app.store, app.settings, when), as_json)
    elif source is not None:
        echo_report(ingest_hf_file(app.store, Path(source)), as_json)
    else:
        raise BadRequest("give a file of Hugging Face records or --date YYYY-MM-DD")
