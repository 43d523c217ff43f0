"""``paperboy serve``: the web application."""

from __future__ import annotations

import logging

import click

from paperboy.cli.main import AppContext, cli, pass_app
from paperboy.ingest.demo import load_demo_if_empty

log = logging.getLogger("paperboy.serve")


@cli.command()
@click.option("--host", default=None, help="Address to listen on [default: PAPERBOY_HOST].")
@click.option("--port", type=int, default=None, help="Port [default: PAPERBOY_PORT].")
@click.option("--no-demo", is_flag=True, help="Do not load demo papers into an empty database.")
@pass_app
def serve(app: AppContext, host: str | None, port: int | None, no_demo: bool) -> None:
    """Serve the web site and JSON API.

    An empty database first gets the bundled demo papers (unless --no-demo or
    PAPERBOY_LOAD_DEMO=false).

    \b
    Example:
      paperboy serve --host 0.0.0.0 --port 8000
    """
    import uvicorn

    from paperboy.web import create_app

    settings = app.settings
    store = app.store
    if settings.load_demo and not no_demo:
        report = load_demo_if_empty(store)
        if report is not None:
            click.echo(f"Loaded demo papers: {report.added} added")
    bind_host = host or settings.host
    bind_port = port or settings.port
    click.echo(f"paperboy serving on http://{bind_host}:{bind_port}/ (Ctrl+C to stop)")
    uvicorn.run(
        create_app(settings, store),
        host=bind_host,
        port=bind_port,
        log_level="warning",
        proxy_headers=True,
    )
