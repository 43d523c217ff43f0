"""Digest subscription storage on SQLite and PostgreSQL: the per-IP count behind the
/subscribe limit."""

from __future__ import annotations

from datetime import timedelta

from paperboy.clock import utcnow
from paperboy.digest.preferences import Preferences
from paperboy.store import Store


def test_confirmations_are_counted_per_ip_and_hour(store: Store) -> None:
    now = utcnow()
    prefs = Preferences().as_columns()
    for i, (ip, age) in enumerate(
        [("203.0.113.7", 5), ("203.0.113.7", 50), ("203.0.113.7", 70), ("203.0.113.8", 5)]
    ):
        sub = store.digests.create_subscription(
            f"r{i}@example.org", user_id=None, status="pending", preferences=prefs
        )
        sent = now - timedelta(minutes=age)
        store.digests.set_confirm_token(
            sub.id, f"{i}" * 64, sent_at=sent, expires_at=sent + timedelta(hours=1), ip=ip
        )
    hour_ago = now - timedelta(hours=1)
    assert store.digests.count_confirmations_from("203.0.113.7", since=hour_ago) == 2
    assert store.digests.count_confirmations_from("203.0.113.8", since=hour_ago) == 1
    assert store.digests.count_confirmations_from("198.51.100.1", since=hour_ago) == 0
