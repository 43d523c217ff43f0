"""``paperboy search`` and ``paperboy index ...``."""

from __future__ import annotations

import json

import click

from paperboy.cli.main import AppContext, cli, pass_app
from paperboy.search.query import parse_query
from paperboy.search.service import MODES, SearchService, model_key


def search_service(app: AppContext) -> SearchService:
    return SearchService(app.settings, app.store)


@cli.command()
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option(
    "--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON list of {id, title, score, authors, announced, url}.",
)
@pass_app
def search(app: AppContext, query: str, limit: int, mode: str, sort: str, as_json: bool) -> None:
    """Search papers: words, "phrases", author:NAME, cat:CAT, year:YYYY, from:/to:DATE.

    Brings the indexes up to date first (embedding new papers if there are any).

    \b
    Example:
      paperboy search '"sparse attention" long context' --limit 5
      paperboy search 'author:lecun cat:cs.CV' --sort date --json
    """
    service = search_service(app)
    pq = parse_query(query)
    service.update(embed=mode != "lexical", show_progress=True)
    results = service.search(pq, mode=mode, sort=sort, per_page=limit)  # type: ignore[arg-type]
    base = app.settings.base_url.rstrip("/")
    rows = [
        {
            "id": hit.paper.arxiv_id,
            "title": hit.paper.title,
            "score": round(hit.score, 6),
            "authors": hit.paper.authors,
            "announced": hit.paper.announced.isoformat() if hit.paper.announced else None,
            "url": f"{base}/paper/{hit.paper.arxiv_id}",
        }
        for hit in results.hits
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if results.notice:
        click.echo(results.notice, err=True)
    if not rows:
        click.echo("No results.")
    for n, row in enumerate(rows, start=1):
        click.echo(f"{n:>3}. {row['id']:<12} {row['score']:.4f}  {row['title']}")


@cli.group()
def index() -> None:
    """Derived search indexes: keyword index and embeddings.

    \b
    Example:
      paperboy index update     # cron-safe: only what changed
      paperboy index rebuild    # recreate from the database
    """


SKIPPED_SHOWN = 20  # arXiv ids of skipped papers printed (the log has up to 50)


def _echo_update(indexed: int | None, embedded: int, skipped: list[str]) -> None:
    if indexed is None:
        click.echo("keyword index: another process is updating it")
    else:
        click.echo(f"keyword index: {indexed} papers indexed")
    line = f"embeddings: {embedded} papers embedded"
    if skipped:
        more = len(skipped) - SKIPPED_SHOWN
        line += (
            f", {len(skipped)} skipped (the embedder fails on their text; the next run "
            f"tries them again): {', '.join(skipped[:SKIPPED_SHOWN])}"
            + (f" and {more} more" if more > 0 else "")
        )
    click.echo(line)


@index.command("update")
@click.option("--no-embed", is_flag=True, help="Only the keyword index.")
@pass_app
def index_update(app: AppContext, no_embed: bool) -> None:
    """Index and embed the papers added or changed since the last update.

    Safe to run as often as you like (from cron, say); an interrupted run resumes.

    \b
    Example:
      paperboy index update
    """
    result = search_service(app).update(embed=not no_embed, show_progress=True)
    _echo_update(result.indexed, result.embedded, result.skipped)


@index.command("rebuild")
@click.option(
    "--reembed",
    is_flag=True,
    help="Recompute every embedding too (slow: minutes per 10,000 papers).",
)
@pass_app
def index_rebuild(app: AppContext, reembed: bool) -> None:
    """Recreate the keyword index from the database and embed what is missing.

    \b
    Example:
      paperboy index rebuild
      paperboy index rebuild --reembed
    """
    result = search_service(app).rebuild(reembed=reembed, show_progress=True)
    _echo_update(result.indexed, result.embedded, result.skipped)


@index.command("status")
@pass_app
def index_status(app: AppContext) -> None:
    """Show how many papers are indexed and embedded.

    \b
    Example:
      paperboy index status
    """
    service = search_service(app)
    papers = app.store.papers.count_papers()
    model = model_key(app.settings.embedding_runtime)
    pending = app.store.embeddings.count_to_embed(model)
    click.echo(f"papers in the database: {papers}")
    click.echo(f"keyword index:          {service.lexical.num_docs} papers")
    click.echo(f"embeddings ({model}): {papers - pending} papers, {pending} waiting")
