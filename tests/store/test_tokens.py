"""Personal tokens in the store: only hashes kept, per-kind lookups, revocation, suspended
owners, and the throttled last-used stamp. Each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from paperboy.store import Store
from paperboy.store.models import api_tokens
from paperboy.store.tokens import hash_token


def test_created_token_authenticates_its_owner_and_only_its_hash_is_stored(store: Store) -> None:
    ada = store.accounts.create_user("ada@example.org")
    row, plaintext = store.tokens.create_token(ada.id, "api", "  laptop script  ")
    assert (row.user_id, row.kind, row.name, row.revoked_at) == (
        ada.id,
        "api",
        "laptop script",
        None,
    )
    assert len(plaintext) >= 40
    with store.engine.connect() as conn:
        stored = conn.execute(select(api_tokens.c.token_hash)).scalars().all()
    assert stored == [hash_token(plaintext)]
    assert plaintext not in stored[0]
    user = store.tokens.user_for_token("api", plaintext)
    assert user is not None and user.id == ada.id


def test_kinds_are_separate_and_unknown_tokens_fail(store: Store) -> None:
    ada = store.accounts.create_user("ada@example.org")
    _, api_plain = store.tokens.create_token(ada.id, "api", "script")
    _, feed_plain = store.tokens.create_token(ada.id, "feed", "reader")
    assert store.tokens.user_for_token("feed", api_plain) is None
    assert store.tokens.user_for_token("api", feed_plain) is None
    assert store.tokens.user_for_token("api", "not-a-token") is None
    assert store.tokens.user_for_token("api", "") is None
    with pytest.raises(ValueError):
        store.tokens.create_token(ada.id, "root", "nope")


def test_list_is_newest_first_per_kind_and_omits_revoked(store: Store) -> None:
    ada = store.accounts.create_user("ada@example.org")
    t0 = datetime(2026, 7, 1, 9, 0)
    first, _ = store.tokens.create_token(ada.id, "api", "first", now=t0)
    second, _ = store.tokens.create_token(ada.id, "api", "second", now=t0 + timedelta(hours=1))
    store.tokens.create_token(ada.id, "feed", "feed", now=t0)
    assert [t.name for t in store.tokens.list_tokens(ada.id, "api")] == ["second", "first"]
    assert store.tokens.revoke_token(ada.id, first.id)
    assert [t.id for t in store.tokens.list_tokens(ada.id, "api")] == [second.id]
    assert [t.name for t in store.tokens.list_tokens(ada.id, "feed")] == ["feed"]


def test_only_the_owner_revokes_and_a_revoked_token_stops_working(store: Store) -> None:
    ada = store.accounts.create_user("ada@example.org")
    bob = store.accounts.create_user("bob@example.org")
    row, plaintext = store.tokens.create_token(ada.id, "api", "script")
    assert not store.tokens.revoke_token(bob.id, row.id)
    assert store.tokens.user_for_token("api", plaintext) is not None
    assert store.tokens.revoke_token(ada.id, row.id)
    assert not store.tokens.revoke_token(ada.id, row.id)  # already revoked
    assert store.tokens.user_for_token("api", plaintext) is None


def test_a_suspended_owner_cannot_use_their_token(store: Store) -> None:
    ada = store.accounts.create_user("ada@example.org")
    _, plaintext = store.tokens.create_token(ada.id, "api", "script")
    store.accounts.set_user_suspended(ada.id, True)
    assert store.tokens.user_for_token("api", plaintext) is None
    store.accounts.set_user_suspended(ada.id, False)
    assert store.tokens.user_for_token("api", plaintext) is not None


def test_last_used_is_stamped_at_most_once_a_minute(store: Store) -> None:
    ada = store.accounts.create_user("ada@example.org")
    t0 = datetime(2026, 7, 1, 9, 0)
    _, plaintext = store.tokens.create_token(ada.id, "api", "script", now=t0)
    assert store.tokens.list_tokens(ada.id, "api")[0].last_used_at is None
    store.tokens.user_for_token("api", plaintext, now=t0 + timedelta(seconds=5))
    store.tokens.user_for_token("api", plaintext, now=t0 + timedelta(seconds=50))
    assert store.tokens.list_tokens(ada.id, "api")[0].last_used_at == t0 + timedelta(seconds=5)
    store.tokens.user_for_token("api", plaintext, now=t0 + timedelta(seconds=70))
    assert store.tokens.list_tokens(ada.id, "api")[0].last_used_at == t0 + timedelta(seconds=70)
