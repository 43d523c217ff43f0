"""Storage of digest subscriptions and the digest outbox.

The outbox is what makes a digest exactly-once. ``enqueue_digests`` inserts one row per
(subscription, period) and ignores rows that exist, so any number of runs enqueue a
digest once. A sender takes a row by a compare-and-set (``claim_outbox_row``: pending →
sent, only if the row is still pending and the subscription still active) *before* it
ends the SMTP transaction; a second sender, or a rerun after a crash, finds the row no
longer pending and never sends it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from paperboy.clock import utcnow
from paperboy.errors import Conflict
from paperboy.store._rows import Repository, chunked
from paperboy.store.db import insert_ignoring_duplicates
from paperboy.store.models import digest_outbox, subscriptions

SUBSCRIPTION_STATUSES = ("pending", "active", "unsubscribed", "bouncing")
OUTBOX_STATUSES = ("pending", "sent", "failed", "bounced", "skipped")


@dataclass(frozen=True, slots=True)
class StoredSubscription:
    id: int
    email: str
    user_id: int | None
    status: str
    frequency: str
    weekday: int
    categories: list[str]
    include_keywords: list[str]
    exclude_keywords: list[str]
    max_papers: int
    created_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    bounced_at: datetime | None
    bounce_reason: str | None
    confirm_sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    subscription_id: int
    period: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    message_id: str
    sent_at: datetime | None


def _to_subscription(row: Any) -> StoredSubscription:
    return StoredSubscription(
        id=row["id"],
        email=row["email"],
        user_id=row["user_id"],
        status=row["status"],
        frequency=row["frequency"],
        weekday=row["weekday"],
        categories=list(row["categories"] or []),
        include_keywords=list(row["include_keywords"] or []),
        exclude_keywords=list(row["exclude_keywords"] or []),
        max_papers=row["max_papers"],
        created_at=row["created_at"],
        confirmed_at=row["confirmed_at"],
        unsubscribed_at=row["unsubscribed_at"],
        bounced_at=row["bounced_at"],
        bounce_reason=row["bounce_reason"],
        confirm_sent_at=row["confirm_sent_at"],
    )


def _to_outbox(row: Any) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        subscription_id=row["subscription_id"],
        period=row["period"],
        status=row["status"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        message_id=row["message_id"],
        sent_at=row["sent_at"],
    )


class DigestStore(Repository):
    # -- subscriptions ----------------------------------------------------------------

    def get_subscription(self, subscription_id: int) -> StoredSubscription | None:
        return self._one_subscription(subscriptions.c.id == subscription_id)

    def get_subscription_by_email(self, email: str) -> StoredSubscription | None:
        return self._one_subscription(subscriptions.c.email == email)

    def get_subscription_for_user(self, user_id: int) -> StoredSubscription | None:
        return self._one_subscription(subscriptions.c.user_id == user_id)

    def _one_subscription(self, where: Any) -> StoredSubscription | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(subscriptions).where(where)).mappings().first()
        return _to_subscription(row) if row else None

    def create_subscription(
        self,
        email: str,
        *,
        user_id: int | None,
        status: str,
        preferences: dict[str, Any],
        now: datetime | None = None,
    ) -> StoredSubscription:
        """A new subscription for ``email`` (Conflict if the address has one)."""
        now = now or utcnow()
        values = {
            "email": email,
            "user_id": user_id,
            "status": status,
            "created_at": now,
            "confirmed_at": now if status == "active" else None,
            **preferences,
        }
        try:
            with self.engine.begin() as conn:
                key = conn.execute(insert(subscriptions).values(**values)).inserted_primary_key
        except IntegrityError:
            raise Conflict(f"{email} is already subscribed") from None
        assert key is not None
        found = self.get_subscription(int(key[0]))
        assert found is not None
        return found

    def update_subscription(self, subscription_id: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(subscriptions).where(subscriptions.c.id == subscription_id).values(**values)
            )

    def set_confirm_token(
        self,
        subscription_id: int,
        token_hash: str,
        *,
        sent_at: datetime,
        expires_at: datetime,
        ip: str | None = None,
    ) -> None:
        self.update_subscription(
            subscription_id,
            confirm_token_hash=token_hash,
            confirm_sent_at=sent_at,
            confirm_expires_at=expires_at,
            confirm_ip=ip,
        )

    def count_confirmations_from(self, ip: str, *, since: datetime) -> int:
        """Subscriptions whose last confirmation or reminder email was asked for from
        ``ip`` since ``since``."""
        stmt = select(func.count()).where(
            subscriptions.c.confirm_ip == ip, subscriptions.c.confirm_sent_at >= since
        )
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def confirm_token_is_valid(self, token_hash: str, *, now: datetime) -> bool:
        query = select(subscriptions.c.id).where(
            subscriptions.c.confirm_token_hash == token_hash,
            subscriptions.c.confirm_expires_at > now,
        )
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def consume_confirm_token(
        self, token_hash: str, *, now: datetime | None = None
    ) -> StoredSubscription | None:
        """Activate the subscription holding this unexpired token and forget the token,
        atomically (a second use finds nothing)."""
        now = now or utcnow()
        with self.engine.begin() as conn:
            row = conn.execute(
                select(subscriptions.c.id).where(
                    subscriptions.c.confirm_token_hash == token_hash,
                    subscriptions.c.confirm_expires_at > now,
                )
            ).first()
            if row is None:
                return None
            done = conn.execute(
                update(subscriptions)
                .where(
                    subscriptions.c.id == row[0],
                    subscriptions.c.confirm_token_hash == token_hash,
                )
                .values(
                    status="active",
                    confirmed_at=now,
                    unsubscribed_at=None,
                    confirm_token_hash=None,
                    confirm_expires_at=None,
                )
            )
            if done.rowcount != 1:
                return None
        return self.get_subscription(int(row[0]))

    def unsubscribe(self, subscription_id: int, *, now: datetime | None = None) -> bool:
        """End a subscription (idempotent); its pending digests will not be sent."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(subscriptions)
                .where(
                    subscriptions.c.id == subscription_id, subscriptions.c.status != "unsubscribed"
                )
                .values(status="unsubscribed", unsubscribed_at=now or utcnow())
            )
            return done.rowcount == 1

    def mark_bouncing(self, subscription_id: int, reason: str, *, now: datetime) -> None:
        self.update_subscription(
            subscription_id, status="bouncing", bounced_at=now, bounce_reason=reason[:1000]
        )

    def active_subscriptions(self) -> list[tuple[int, str, int]]:
        """(id, frequency, weekday) of every active subscription."""
        query = select(
            subscriptions.c.id, subscriptions.c.frequency, subscriptions.c.weekday
        ).where(subscriptions.c.status == "active")
        with self.engine.connect() as conn:
            return [(int(i), str(f), int(w)) for i, f, w in conn.execute(query)]

    def subscriptions_by_ids(self, ids: Iterable[int]) -> dict[int, StoredSubscription]:
        wanted = list(dict.fromkeys(ids))
        found: dict[int, StoredSubscription] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(wanted):
                rows = conn.execute(select(subscriptions).where(subscriptions.c.id.in_(chunk)))
                for row in rows.mappings():
                    found[row["id"]] = _to_subscription(row)
        return found

    def subscription_counts(self) -> dict[str, int]:
        query = select(subscriptions.c.status, func.count()).group_by(subscriptions.c.status)
        with self.engine.connect() as conn:
            return {str(s): int(n) for s, n in conn.execute(query)}

    # -- outbox -----------------------------------------------------------------------

    def enqueue_digests(self, rows: Sequence[tuple[int, str, str]], *, now: datetime) -> int:
        """Add (subscription id, period, message id) rows to the outbox as pending;
        rows that exist are left alone. Returns how many were new."""
        if not rows:
            return 0
        values = [
            {
                "subscription_id": sid,
                "period": period,
                "message_id": message_id,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for sid, period, message_id in rows
        ]
        added = 0
        with self.engine.begin() as conn:
            for chunk in chunked(values):
                stmt = insert_ignoring_duplicates(self.engine, digest_outbox)
                # RETURNING counts what went in (rowcount is 0 for multi-row inserts
                # on PostgreSQL).
                result = conn.execute(stmt.returning(digest_outbox.c.id), chunk)
                added += len(result.all())
        return added

    def due_outbox_rows(self, *, now: datetime, limit: int, after_id: int = 0) -> list[OutboxRow]:
        """Pending rows whose next attempt is due, oldest first, with ids above
        ``after_id`` (so a run walks the queue once even when rows are retried later)."""
        query = (
            select(digest_outbox)
            .where(
                digest_outbox.c.status == "pending",
                digest_outbox.c.next_attempt_at <= now,
                digest_outbox.c.id > after_id,
            )
            .order_by(digest_outbox.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_to_outbox(r) for r in conn.execute(query).mappings()]

    def claim_outbox_row(self, row_id: int, *, now: datetime) -> bool:
        """Compare-and-set pending → sent, only while the subscription is active. True
        means this caller, and nobody else, may complete the delivery."""
        still_active = exists().where(
            subscriptions.c.id == digest_outbox.c.subscription_id,
            subscriptions.c.status == "active",
        )
        with self.engine.begin() as conn:
            done = conn.execute(
                update(digest_outbox)
                .where(
                    and_(digest_outbox.c.id == row_id, digest_outbox.c.status == "pending"),
                    still_active,
                )
                .values(
                    status="sent",
                    sent_at=now,
                    attempts=digest_outbox.c.attempts + 1,
                    last_error=None,
                )
            )
            return done.rowcount == 1

    def release_outbox_row(
        self,
        row_id: int,
        *,
        status: str,
        error: str | None,
        next_attempt_at: datetime,
        attempts: int,
    ) -> None:
        """After a failed delivery: back to pending (retry at ``next_attempt_at``), or
        failed / bounced / skipped for good."""
        with self.engine.begin() as conn:
            conn.execute(
                update(digest_outbox)
                .where(digest_outbox.c.id == row_id)
                .values(
                    status=status,
                    attempts=attempts,
                    sent_at=None,
                    last_error=error[:1000] if error else None,
                    next_attempt_at=next_attempt_at,
                )
            )

    def fail_pending_outbox_row(self, row_id: int, error: str) -> bool:
        """pending → failed after an unexpected error, only if still pending (a row the
        sender had already claimed stays sent)."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(digest_outbox)
                .where(digest_outbox.c.id == row_id, digest_outbox.c.status == "pending")
                .values(
                    status="failed",
                    attempts=digest_outbox.c.attempts + 1,
                    last_error=error[:1000],
                )
            )
            return done.rowcount == 1

    def skip_outbox_row(self, row_id: int, reason: str) -> bool:
        """pending → skipped (nothing to send), only if still pending."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(digest_outbox)
                .where(digest_outbox.c.id == row_id, digest_outbox.c.status == "pending")
                .values(status="skipped", last_error=reason[:1000])
            )
            return done.rowcount == 1

    def outbox_counts(self, period: str | None = None) -> dict[str, int]:
        query = select(digest_outbox.c.status, func.count()).group_by(digest_outbox.c.status)
        if period is not None:
            query = query.where(digest_outbox.c.period == period)
        with self.engine.connect() as conn:
            return {str(s): int(n) for s, n in conn.execute(query)}

    def outbox_rows(self, subscription_id: int) -> list[OutboxRow]:
        query = (
            select(digest_outbox)
            .where(digest_outbox.c.subscription_id == subscription_id)
            .order_by(digest_outbox.c.id)
        )
        with self.engine.connect() as conn:
            return [_to_outbox(r) for r in conn.execute(query).mappings()]
