"""``send_due_digests``: enqueue what is due, then deliver the outbox.

Safe to run as often as you like, from cron and from the service's scheduler at once:
enqueueing ignores digests already in the outbox, and each delivery is claimed by a
compare-and-set inside the SMTP transaction (see deliver.py), so every (subscription,
period) digest is sent at most once, and, barring a crash in the instant between
the claim and the final dot, exactly once.

Failures: a 4xx reply or a dropped connection before the claim puts the digest back in
the queue with a doubling wait (``digest_retry_minutes``, at most 6 hours) until
``digest_max_attempts``; a 5xx reply marks the address as bouncing, and nothing more
is sent to it. An unreachable server ends the run early: the rest stays queued.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.digest.compose import Digest, PeriodPool, ReaderInterests, build_pool
from paperboy.digest.deliver import ConnectionFailed, DeliveryError, SmtpSession
from paperboy.digest.following import select_following
from paperboy.digest.periods import (
    CATCH_UP,
    Period,
    due_at,
    latest_due_period,
    local_time,
    period_from_key,
)
from paperboy.digest.preferences import Preferences
from paperboy.digest.render import render_digest_bytes
from paperboy.digest.subscriptions import subscription_link
from paperboy.mail.render import mail_domain
from paperboy.progress import progress
from paperboy.rank.foryou import MAX_SEEDS, relevance
from paperboy.search.embed import DIM
from paperboy.search.service import model_key
from paperboy.store import Store
from paperboy.store.digests import OutboxRow, StoredSubscription

log = logging.getLogger("paperboy.digest")
BATCH = 200
FOR_YOU_PAPERS = 5  # at most, after the trending section
BOUNCE_BREAKER = 25  # bounces in a row that stop a run
MAX_RETRY_WAIT = timedelta(hours=6)


@dataclass
class DigestRun:
    enqueued: int = 0
    sent: int = 0
    skipped: int = 0
    retrying: int = 0
    failed: int = 0
    bounced: int = 0
    abandoned: int = 0  # claimed by another sender first
    bounces_in_a_row: int = 0
    stopped: str | None = None  # why the run ended early
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        rate = self.sent / self.seconds if self.seconds > 0 else 0.0
        text = (
            f"enqueued {self.enqueued}, sent {self.sent}, nothing to send {self.skipped}, "
            f"retry later {self.retrying}, failed {self.failed}, bounced {self.bounced} "
            f"in {self.seconds:.1f} s ({rate:.0f} messages/s)"
        )
        return text + (f"; stopped early: {self.stopped}" if self.stopped else "")


def digest_message_id(settings: Settings, subscription_id: int, period: str) -> str:
    """The same for every attempt, so a receiving system can recognise a resend."""
    return f"<digest.{subscription_id}.{period}@{mail_domain(settings)}>"


def enqueue_due_digests(store: Store, settings: Settings, now: datetime) -> int:
    """Put every digest due at ``now`` into the outbox (existing ones stay as they are):
    each active subscription's newest due period, unless it is more than CATCH_UP old."""
    local = local_time(now, settings.digest_timezone)
    hour, zone = settings.digest_hour, settings.digest_timezone
    rows = []
    for sid, frequency, weekday in store.digests.active_subscriptions():
        period = latest_due_period(frequency, weekday, local, hour)
        if now - due_at(period, hour, zone) <= CATCH_UP:
            rows.append((sid, period.key, digest_message_id(settings, sid, period.key)))
    return store.digests.enqueue_digests(rows, now=now)


class Composer:
    """Builds digests, sharing one PeriodPool per period across subscribers."""

    def __init__(self, store: Store, settings: Settings, now: datetime) -> None:
        self.store, self.settings, self.now = store, settings, now
        self.pools: dict[tuple[str, date, date], PeriodPool] = {}

    def pool(self, period: Period) -> PeriodPool:
        key = (period.frequency, period.first, period.last)
        if key not in self.pools:
            self.pools[key] = build_pool(self.store, self.settings, period, self.now)
        return self.pools[key]

    def interests(self, user_id: int) -> ReaderInterests | None:
        """The reader's seeds and "not interested" marks with their vectors (None when
        they saved and upvoted nothing that has an embedding)."""
        every_seed = self.store.recommend.reader_seeds(user_id)
        seeds = every_seed[:MAX_SEEDS]  # positives: the newest; exclusion: all of them
        if not seeds:
            return None
        dismissed = list(self.store.recommend.not_interested_ids(user_id))
        ids, vectors = self.store.embeddings.embeddings_for(
            model_key(self.settings.embedding_runtime),
            DIM,
            [s.paper_id for s in seeds] + dismissed,
        )
        row = {pid: i for i, pid in enumerate(ids)}
        kept = [s for s in seeds if s.paper_id in row]
        if not kept:
            return None
        settings = self.settings
        return ReaderInterests(
            seeds=kept,
            seed_papers=self.store.papers.get_papers_by_ids(s.paper_id for s in kept),
            positives=vectors[[row[s.paper_id] for s in kept]],
            negatives=vectors[[row[p] for p in dismissed if p in row]].reshape(-1, DIM),
            excluded={s.paper_id for s in every_seed} | set(dismissed),
            rank=lambda c, pos, neg: relevance(settings, user_id, c, pos, neg),
        )

    def compose(self, sub: StoredSubscription, period: Period, message_id: str) -> Digest:
        prefs = Preferences.of(sub)
        pool = self.pool(period)
        trending = pool.select_trending(prefs)
        for_you = []
        reader = self.interests(sub.user_id) if sub.user_id is not None else None
        if reader is not None:
            chosen = pool.select_for_you(
                reader, prefs, set(trending), limit=min(FOR_YOU_PAPERS, prefs.max_papers)
            )
            for_you = [pool.entry(index, reason) for index, reason in chosen]
        following = []
        if sub.user_id is not None:
            picked = select_following(
                self.store, pool, sub.user_id, set(trending), prefs.max_papers
            )
            following = [pool.entry(index, reason) for index, reason in picked]
        return Digest(
            email=sub.email,
            period=period,
            trending=[pool.entry(index) for index in trending],
            for_you=for_you,
            site_url=pool.site_url,
            manage_url=subscription_link(self.settings, sub, "manage"),
            unsubscribe_url=subscription_link(self.settings, sub, "unsubscribe"),
            message_id=message_id,
            preferences=prefs,
            following=following,
        )


class _Throttle:
    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


def send_due_digests(
    store: Store, settings: Settings, *, now: datetime | None = None, limit: int | None = None
) -> DigestRun:
    """Enqueue the digests due at ``now`` (naive UTC; default: the clock) and deliver
    every pending digest whose time has come, at most ``limit`` of them."""
    started = time.monotonic()
    now = now or utcnow()
    run = DigestRun()
    run.enqueued = enqueue_due_digests(store, settings, now)
    composer = Composer(store, settings, now)
    throttle = _Throttle(settings.digest_rate)
    after_id = 0
    with SmtpSession(settings) as session, progress("digests", None, "mail") as bar:
        while run.stopped is None and (limit is None or run.sent < limit):
            batch = store.digests.due_outbox_rows(now=now, limit=BATCH, after_id=after_id)
            if not batch:
                break
            after_id = batch[-1].id
            subs = store.digests.subscriptions_by_ids(r.subscription_id for r in batch)
            for row in batch:
                if limit is not None and run.sent >= limit:
                    break
                sub = subs.get(row.subscription_id)
                try:
                    _send_one(store, settings, composer, session, throttle, row, sub, run, now)
                except Exception as exc:
                    _fail_one(store, session, row, run, exc)
                bar.update(1)
                if run.stopped:
                    break
    run.seconds = time.monotonic() - started
    busy = run.enqueued or run.sent or run.skipped or run.retrying or run.stopped
    log.log(logging.INFO if busy else logging.DEBUG, "digest run: %s", run.summary())
    return run


def _fail_one(
    store: Store, session: SmtpSession, row: OutboxRow, run: DigestRun, exc: Exception
) -> None:
    """An unexpected error (a bug, an address the SMTP library cannot encode) fails this
    digest alone, never the run: otherwise the same row would stop every later run, and
    every digest queued behind it."""
    log.exception("digest %s failed", row.id)
    session.close(abort=True)
    error = f"{type(exc).__name__}: {exc}"
    if store.digests.fail_pending_outbox_row(row.id, error):
        run.failed += 1
        run.errors.append(f"subscription {row.subscription_id}: {error}")


def _send_one(
    store: Store,
    settings: Settings,
    composer: Composer,
    session: SmtpSession,
    throttle: _Throttle,
    row: OutboxRow,
    sub: StoredSubscription | None,
    run: DigestRun,
    now: datetime,
) -> None:
    if sub is None or sub.status != "active":
        if store.digests.skip_outbox_row(row.id, "the subscription ended before sending"):
            run.skipped += 1
        return
    digest = composer.compose(sub, period_from_key(row.period), row.message_id)
    if digest.is_empty:
        if store.digests.skip_outbox_row(row.id, "no new papers matched the preferences"):
            run.skipped += 1
        return
    message = render_digest_bytes(digest, settings)
    throttle.wait()

    def claim() -> bool:
        return store.digests.claim_outbox_row(row.id, now=utcnow())

    for attempt in (1, 2):
        try:
            if session.deliver(message, sub.email, claim):
                run.sent += 1
                run.bounces_in_a_row = 0
            else:
                run.abandoned += 1
            return
        except DeliveryError as exc:
            _refused(store, settings, row, sub, exc, run, now)
            return
        except ConnectionFailed as exc:
            if exc.claimed:
                # The server may or may not have taken the message: keep it marked sent
                # (a duplicate is worse than a miss) and say so.
                log.warning("digest %s: delivery unconfirmed: %s", row.id, exc)
                run.errors.append(f"{sub.email}: delivery unconfirmed ({exc})")
                run.sent += 1
                return
            if attempt == 2:  # a fresh connection failed too: the server is down
                _retry_later(store, settings, row, str(exc), run, now, count_attempt=False)
                run.stopped = str(exc)
                return
            # A reused connection may have been closed by the server; try a new one.


def _retry_later(
    store: Store,
    settings: Settings,
    row: OutboxRow,
    error: str,
    run: DigestRun,
    now: datetime,
    *,
    count_attempt: bool = True,
) -> None:
    """Back to the queue with a doubling wait counted from the run's ``now``. A failure
    that is the server's, not this digest's, does not use up one of its attempts."""
    attempts = row.attempts + 1 if count_attempt else row.attempts
    if attempts >= settings.digest_max_attempts:
        store.digests.release_outbox_row(
            row.id, status="failed", error=error, next_attempt_at=now, attempts=attempts
        )
        run.failed += 1
        return
    wait = timedelta(minutes=settings.digest_retry_minutes * 2 ** max(0, attempts - 1))
    store.digests.release_outbox_row(
        row.id,
        status="pending",
        error=error,
        next_attempt_at=now + min(wait, MAX_RETRY_WAIT),
        attempts=attempts,
    )
    run.retrying += 1


def _refused(
    store: Store,
    settings: Settings,
    row: OutboxRow,
    sub: StoredSubscription,
    exc: DeliveryError,
    run: DigestRun,
    now: datetime,
) -> None:
    error = f"SMTP {exc.code} at {exc.stage.upper()}: {exc.reply}"
    run.errors.append(f"{sub.email}: {error}")
    if exc.refuses_us:
        # Relay denied, rate limited, sender refused…: every digest would fail alike.
        # Keep the queue (this one without using up an attempt) and stop.
        _retry_later(store, settings, row, error, run, now, count_attempt=False)
        run.stopped = f"the SMTP server refused to send ({error})"
        return
    if exc.bounce:
        store.digests.release_outbox_row(
            row.id, status="bounced", error=error, next_attempt_at=now, attempts=row.attempts + 1
        )
        store.digests.mark_bouncing(sub.id, error, now=now)
        log.warning("digest to subscription %s bounced: %s", sub.id, error)
        run.bounced += 1
        run.bounces_in_a_row += 1
        if run.bounces_in_a_row >= BOUNCE_BREAKER:
            # So many good addresses do not go bad at once: more likely the server
            # misbehaves. Stop before it marks the whole list.
            run.stopped = f"{BOUNCE_BREAKER} addresses bounced in a row; check the SMTP server"
        return
    if exc.permanent:  # this message was refused (content, size): not the address
        store.digests.release_outbox_row(
            row.id, status="failed", error=error, next_attempt_at=now, attempts=row.attempts + 1
        )
        run.failed += 1
        return
    _retry_later(store, settings, row, error, run, now)
