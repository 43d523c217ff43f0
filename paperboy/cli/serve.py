"""``paperboy serve``: the web application."""

from __future__ import annotations

import logging
import os
from typing import Any

import click

from paperboy.cli.main import AppContext, cli, pass_app
from paperboy.config import Settings, is_loopback_host, is_placeholder_secret
from paperboy.errors import ConfigError
from paperboy.ingest.demo import load_demo_if_empty

log = logging.getLogger("paperboy.serve")

PUBLIC_DEV_FLAG = "--insecure-dev-on-public-host"
WEB_APP_FACTORY = "paperboy.web.app:create_app_from_env"


def check_exposure(settings: Settings, host: str, allow_public_dev: bool) -> list[str]:
    """Refuse development mode on a public address (ConfigError) unless allowed; return
    the warnings to print at startup."""
    warnings = []
    development = settings.environment == "development"
    if development and not is_loopback_host(host):
        if not allow_public_dev:
            raise ConfigError(
                f"refusing to serve development mode on {host or 'every interface'}: "
                "development signs sessions with a well-known key and prints sign-in links "
                "to the log, so anyone who can reach the server can sign in as anyone. "
                "Listen on 127.0.0.1 (the default), or set PAPERBOY_ENVIRONMENT=production "
                f"with a random PAPERBOY_SECRET_KEY, or pass {PUBLIC_DEV_FLAG} if you "
                "really mean it"
            )
        warnings.append(
            f"development mode on the non-loopback address {host or 'every interface'} "
            f"({PUBLIC_DEV_FLAG}): everyone who can reach it can sign in as anyone"
        )
    if development and is_placeholder_secret(settings.secret_key):
        warnings.append(
            "development mode with the default secret key: anyone who knows it (it is in "
            "the source) can forge a session, an admin's included. Fine on your own "
            "machine; for anything else set PAPERBOY_ENVIRONMENT=production and a random "
            "PAPERBOY_SECRET_KEY"
        )
    if not development and settings.base_url.startswith("http://"):
        warnings.append(
            f"production with PAPERBOY_BASE_URL={settings.base_url}: the session cookie "
            "cannot be marked Secure and sign-in links travel unencrypted; serve the site "
            "over https (a reverse proxy with TLS) and set an https:// base URL"
        )
    return warnings


@cli.command()
@click.option("--host", default=None, help="Address to listen on [default: PAPERBOY_HOST].")
@click.option("--port", type=int, default=None, help="Port [default: PAPERBOY_PORT].")
@click.option("--no-demo", is_flag=True, help="Do not load demo papers into an empty database.")
@click.option(
    PUBLIC_DEV_FLAG,
    "allow_public_dev",
    is_flag=True,
    help="Allow development mode on a non-loopback address (unsafe: anyone who can "
    "reach it can sign in as anyone).",
)
@click.option(
    "--no-jobs",
    is_flag=True,
    help="Run no background work here (embedding, digests, scheduled harvests and syncs): "
    "a `paperboy worker` does it. The keyword index still follows the database.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Web processes sharing the port. More than one implies --no-jobs: run "
    "`paperboy worker` beside them (on PostgreSQL for many writers).",
)
@pass_app
def serve(
    app: AppContext,
    host: str | None,
    port: int | None,
    no_demo: bool,
    allow_public_dev: bool,
    no_jobs: bool,
    workers: int,
) -> None:
    """Serve the web site and JSON API.

    An empty database first gets the bundled demo papers (unless --no-demo or
    PAPERBOY_LOAD_DEMO=false).

    In development (the default PAPERBOY_ENVIRONMENT) it listens on loopback
    addresses only. For a public site set PAPERBOY_ENVIRONMENT=production and a random
    PAPERBOY_SECRET_KEY, and put a reverse proxy with TLS in front (docs/operations.md).

    With --workers N the site runs in N processes (each follows the database and
    keeps a page cache; they share rendered pages through DATA_DIR/page-cache);
    background work then belongs to `paperboy worker`.

    \b
    Example:
      paperboy serve --port 8000
      paperboy serve --host 127.0.0.1 --workers 3   # plus: paperboy worker
    """
    import uvicorn

    from paperboy.web import create_app

    settings = app.settings
    bind_host = settings.host if host is None else host
    bind_port = port or settings.port
    for warning in check_exposure(settings, bind_host, allow_public_dev):
        click.secho(f"WARNING: {warning}", fg="red", bold=True, err=True)
    store = app.store
    if settings.load_demo and not no_demo:
        report = load_demo_if_empty(store)
        if report is not None:
            click.echo(f"Loaded demo papers: {report.added} added")
    web_only = no_jobs or workers > 1
    role = "web only: run `paperboy worker` for background work" if web_only else "web and jobs"
    click.echo(
        f"paperboy serving on http://{bind_host}:{bind_port}/ "
        f"({workers} process{'es' if workers > 1 else ''}, {role}; Ctrl+C to stop)"
    )
    options: dict[str, Any] = {
        "host": bind_host,
        "port": bind_port,
        "log_level": "warning",
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
    }
    if workers > 1:
        # Each process builds its app from the environment (settings come from it alone);
        # PAPERBOY_JOBS tells them to run no background work.
        os.environ["PAPERBOY_JOBS"] = "false"
        # and shares rendered pages with the others (unless the operator said otherwise).
        os.environ.setdefault("PAPERBOY_PAGE_CACHE_SHARED", "true")
        store.close()
        uvicorn.run(WEB_APP_FACTORY, factory=True, workers=workers, **options)
        return
    if web_only:
        settings = settings.model_copy(update={"jobs": False})
    uvicorn.run(create_app(settings, store), **options)
