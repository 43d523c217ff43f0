"""``paperboy jobs status``: the job table that `paperboy worker` processes share, per
kind (queued, running, failed, done in 24 h, the oldest due job's wait), the current
leases and the latest failures, as text or ``--json``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click

from paperboy.cli.main import AppContext, cli, pass_app
from paperboy.store.jobs import PERIODIC_ATTEMPTS, JobRow, QueueStatus


@cli.group()
def jobs() -> None:
    """Inspect the background jobs shared by `paperboy worker` processes.

    \b
    Example:
      paperboy jobs status
    """


def _ago(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _since(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else (now - then).total_seconds()


def _most(row: JobRow) -> int | None:
    """A job's attempt limit; None for a periodic job, which retries until it succeeds."""
    return None if row.max_attempts >= PERIODIC_ATTEMPTS else row.max_attempts


def _attempt(n: int, most: int | None) -> str:
    return f"attempt {n}/{most}" if most is not None else f"attempt {n} (periodic)"


def _lease(status: QueueStatus, row: JobRow) -> dict[str, Any]:
    expires = _since(row.lease_expires_at or status.now, status.now)
    return {
        "kind": row.kind,
        "key": row.key,
        "owner": row.lease_owner,
        "expires_in_seconds": round(expires or 0.0, 1),
        "heartbeat_seconds_ago": round(_since(status.now, row.heartbeat_at) or 0.0, 1),
        "attempt": row.attempts,
        "max_attempts": _most(row),
    }


def _failure(status: QueueStatus, row: JobRow) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "key": row.key,
        "state": row.state,
        "attempts": row.attempts,
        "max_attempts": _most(row),
        "error": row.last_error,
        "seconds_ago": round(_since(status.now, row.updated_at) or 0.0, 1),
        "retry_at": row.run_after.isoformat() + "Z" if row.state == "queued" else None,
    }


def status_document(status: QueueStatus) -> dict[str, Any]:
    """The status as plain data (what ``--json`` prints)."""
    return {
        "now": status.now.isoformat() + "Z",
        "kinds": [
            {
                "kind": k.kind,
                "queued": k.queued,
                "running": k.running,
                "failed": k.failed,
                "done_24h": k.done_24h,
                "oldest_due_seconds": None
                if k.oldest_due is None
                else round(_since(status.now, k.oldest_due) or 0.0, 1),
            }
            for k in status.kinds
        ],
        "leases": [_lease(status, row) for row in status.leases],
        "failures": [_failure(status, row) for row in status.failures],
    }


def _text(doc: dict[str, Any]) -> list[str]:
    if not doc["kinds"]:
        return [
            "No jobs yet: `paperboy worker` creates and runs them (a single `paperboy "
            "serve` runs its background work in its own threads, without the job table)."
        ]
    lines = [f"Jobs at {doc['now']}"]
    header = ("kind", "queued", "running", "failed", "done 24h", "oldest due waits")
    rows = [
        (
            k["kind"],
            str(k["queued"]),
            str(k["running"]),
            str(k["failed"]),
            str(k["done_24h"]),
            "-" if k["oldest_due_seconds"] is None else _ago(k["oldest_due_seconds"]),
        )
        for k in doc["kinds"]
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        lines.append(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    lines.append("")
    if doc["leases"]:
        lines.append("Leases:")
        for lease in doc["leases"]:
            left = lease["expires_in_seconds"]
            when = f"expires in {_ago(left)}" if left >= 0 else f"expired {_ago(-left)} ago"
            lines.append(
                f"  {lease['kind']} {lease['key']}: {lease['owner']}, {when}, "
                + _attempt(lease["attempt"], lease["max_attempts"])
            )
    else:
        lines.append("Leases: none (no job is running)")
    if doc["failures"]:
        lines.append("Recent failures:")
        for failure in doc["failures"]:
            what = "failed" if failure["state"] == "failed" else "will retry"
            attempt = _attempt(failure["attempts"], failure["max_attempts"])
            lines.append(
                f"  {failure['kind']} {failure['key']} ({what}, {attempt}, "
                f"{_ago(failure['seconds_ago'])} ago): {failure['error']}"
            )
    else:
        lines.append("Recent failures: none")
    return lines


@jobs.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option(
    "--failures",
    default=10,
    show_default=True,
    type=click.IntRange(0, 1000),
    help="How many recent failures to list.",
)
@pass_app
def jobs_status(app: AppContext, as_json: bool, failures: int) -> None:
    """Show the job queues: per kind the jobs queued, running, failed and done in the
    last 24 hours and how long the oldest due job has waited; the current leases (which
    worker, host:pid, holds which job and when its lease expires); the latest failures
    with their error. A lease that expired belongs to a worker that died: the next
    claim by any worker takes the job over.

    \b
    Example:
      paperboy jobs status
      paperboy jobs status --json | jq '.kinds[] | select(.failed > 0)'
    """
    doc = status_document(app.store.jobs.status(failures=failures))
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    else:
        click.echo("\n".join(_text(doc)))
