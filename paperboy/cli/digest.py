"""``paperboy digest ...``: send due digests (cron-safe), preview one, show the queue."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from paperboy.cli.main import AppContext, cli, pass_app
from paperboy.clock import utcnow
from paperboy.errors import InvalidInput, MailError
from paperboy.store.digests import StoredSubscription


@cli.group()
def digest() -> None:
    """Email digests: send the due ones, preview one, see the queue.

    \b
    Example:
      paperboy digest send-due
      paperboy digest preview reader@example.org --date 2026-06-30
    """


def _parse_now(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"--now {value!r} is not an ISO date-time like 2026-11-20T08:00"
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


@digest.command("send-due")
@click.option("--now", "now_text", default=None, help="Act as if it were this UTC time (ISO).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Send at most N digests.")
@pass_app
def send_due(app: AppContext, now_text: str | None, limit: int | None) -> None:
    """Enqueue every digest that is due and deliver the queue. Safe to run as often as
    you like and alongside the service's own scheduler: each (subscriber, period) digest
    is sent once. Exits 1 when the SMTP server cannot be reached (the queue is kept).

    \b
    Example (crontab, every 10 minutes):
      */10 * * * * paperboy digest send-due
    """
    from paperboy.digest import send_due_digests

    run = send_due_digests(app.store, app.settings, now=_parse_now(now_text), limit=limit)
    click.echo(run.summary())
    for line in run.errors[:20]:
        click.echo(f"  {line}")
    if run.stopped:
        raise MailError(f"stopped early, the rest stays queued: {run.stopped}")


@digest.command("preview")
@click.argument("email")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Preview the digest of the period ending on this day [default: today].",
)
@click.option("--html", "as_html", is_flag=True, help="Print the HTML part instead of the text.")
@click.option("--raw", is_flag=True, help="Print the whole MIME message with headers.")
@pass_app
def preview(app: AppContext, email: str, day: datetime | None, as_html: bool, raw: bool) -> None:
    """Print the digest EMAIL would get (their preferences, or the defaults when the
    address has no subscription). Sends nothing and changes nothing.

    \b
    Example:
      paperboy digest preview reader@example.org --date 2026-06-30 --html > digest.html
    """
    from paperboy.accounts import normalize_email
    from paperboy.digest import Composer, latest_period, render_digest
    from paperboy.digest.outbox import digest_message_id
    from paperboy.digest.periods import local_time

    store, settings = app.store, app.settings
    address = normalize_email(email)
    sub = store.digests.get_subscription_by_email(address)
    if sub is None:
        click.echo(f"# {address} has no subscription: default preferences", err=True)
        sub = _default_subscription(address)
    today = day.date() if day else local_time(utcnow(), settings.digest_timezone).date()
    period = latest_period(sub.frequency, sub.weekday, today)
    composer = Composer(store, settings, utcnow())
    built = composer.compose(sub, period, digest_message_id(settings, sub.id, period.key))
    if built.is_empty:
        newest = store.papers.latest_announced()
        hint = f" (the newest papers are from {newest}; try --date {newest})" if newest else ""
        raise InvalidInput(
            f"no papers for {period.label} match the preferences: nothing would be sent{hint}"
        )
    message = render_digest(built, settings)
    if raw:
        click.echo(message.as_string())
        return
    part = message.get_body(("html",) if as_html else ("plain",))
    assert part is not None
    click.echo(f"Subject: {message['Subject']}", err=True)
    click.echo(part.get_content())


def _default_subscription(email: str) -> StoredSubscription:
    from paperboy.digest.preferences import Preferences

    prefs = Preferences()
    return StoredSubscription(
        id=0,
        email=email,
        user_id=None,
        status="active",
        frequency=prefs.frequency,
        weekday=prefs.weekday,
        categories=[],
        include_keywords=[],
        exclude_keywords=[],
        max_papers=prefs.max_papers,
        created_at=utcnow(),
        confirmed_at=None,
        unsubscribed_at=None,
        bounced_at=None,
        bounce_reason=None,
        confirm_sent_at=None,
    )


@digest.command("status")
@pass_app
def status(app: AppContext) -> None:
    """Count subscriptions by state and digests in the outbox by state.

    \b
    Example:
      paperboy digest status
    """
    subs = app.store.digests.subscription_counts()
    outbox = app.store.digests.outbox_counts()
    click.echo(
        "subscriptions: " + (", ".join(f"{k} {v}" for k, v in sorted(subs.items())) or "none")
    )
    click.echo("outbox: " + (", ".join(f"{k} {v}" for k, v in sorted(outbox.items())) or "empty"))
