"""``paperboy worker``: the background work without the web site."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click

from paperboy.cli.main import AppContext, cli, pass_app
from paperboy.jobs import BackgroundWork
from paperboy.metrics import forget_dead_processes
from paperboy.search.service import SearchService


@cli.command()
@pass_app
def worker(app: AppContext) -> None:
    """Run the background work: keep the keyword index and embeddings current, send
    digests when due, and run the scheduled harvests and syncs that are turned on
    (PAPERBOY_HARVEST_MINUTES, PAPERBOY_HF_SYNC_MINUTES, PAPERBOY_GITHUB_SYNC_MINUTES).

    Pair it with web processes that run none (`paperboy serve --no-jobs` or
    `--workers N`) on the same database; a `paperboy serve` with jobs beside it shares
    the work too. Several workers share the work through the job table (each embedding
    batch and scheduled run has one claimant; a dead worker's lease expires and another
    finishes its job): see `paperboy jobs status`. Stops
    cleanly on Ctrl+C or SIGTERM (each job finishes its current step). See
    docs/deploy.md.

    \b
    Example:
      PAPERBOY_HARVEST_MINUTES=60 paperboy worker
    """
    settings, store = app.settings, app.store
    work = BackgroundWork("worker", settings, store, SearchService(settings, store))
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        click.echo(f"paperboy worker stopping ({signal.Signals(signum).name})", err=True)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    forget_dead_processes()  # live-only metrics of processes that were killed
    work.start()
    click.echo("paperboy worker running: " + "; ".join(work.names) + " (Ctrl+C to stop)")
    try:
        stop.wait()
    finally:
        work.stop()
        click.echo("paperboy worker stopped")
