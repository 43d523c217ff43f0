"""Account storage on SQLite and PostgreSQL: single-use tokens, even under a race."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from paperboy.clock import utcnow
from paperboy.errors import Conflict
from paperboy.store import Store


def add_token(store: Store, token_hash: str, email: str, minutes: int = 15) -> None:
    now = utcnow()
    store.accounts.add_login_token(
        token_hash, email, "127.0.0.1", created_at=now, expires_at=now + timedelta(minutes=minutes)
    )


def test_first_sign_in_creates_the_account_once(store: Store) -> None:
    add_token(store, "a" * 64, "ada@example.org")
    user = store.accounts.consume_login_token("a" * 64)
    assert user is not None and user.email == "ada@example.org" and user.role == "reader"
    assert store.accounts.consume_login_token("a" * 64) is None  # single use
    add_token(store, "b" * 64, "ada@example.org")
    again = store.accounts.consume_login_token("b" * 64)
    assert again is not None and again.id == user.id and again.last_seen is not None
    assert len(store.accounts.list_users()) == 1


def test_expired_and_unknown_tokens_do_nothing(store: Store) -> None:
    add_token(store, "c" * 64, "bob@example.org", minutes=-1)
    assert store.accounts.consume_login_token("c" * 64) is None
    assert store.accounts.consume_login_token("d" * 64) is None
    assert store.accounts.get_user_by_email("bob@example.org") is None


def race(store: Store, token: str) -> list[object]:
    """Two threads use the same token at the same moment; returns the winners."""
    winners: list[object] = []
    barrier = threading.Barrier(2)

    def consume() -> None:
        barrier.wait()
        user = store.accounts.consume_login_token(token)
        if user is not None:
            winners.append(user)

    threads = [threading.Thread(target=consume) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return winners


def test_a_token_is_consumed_once_when_two_threads_race(store: Store) -> None:
    for i in range(5):
        add_token(store, f"{i:064d}", f"racer{i}@example.org")
    for i in range(5):
        assert len(race(store, f"{i:064d}")) == 1
    assert len(store.accounts.list_users()) == 5


def test_two_first_sign_ins_of_one_address_make_one_account(store: Store) -> None:
    add_token(store, "e" * 64, "same@example.org")
    add_token(store, "f" * 64, "same@example.org")
    users: list[int] = []
    barrier = threading.Barrier(2)

    def consume(token: str) -> None:
        barrier.wait()
        user = store.accounts.consume_login_token(token)
        assert user is not None
        users.append(user.id)

    threads = [threading.Thread(target=consume, args=(t,)) for t in ("e" * 64, "f" * 64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(users) == 2 and users[0] == users[1]


def test_rate_limit_counts(store: Store) -> None:
    since = utcnow() - timedelta(hours=1)
    add_token(store, "1" * 64, "x@example.org")
    add_token(store, "2" * 64, "x@example.org")
    add_token(store, "3" * 64, "y@example.org")
    assert store.accounts.count_login_tokens(since=since, email="x@example.org") == 2
    assert store.accounts.count_login_tokens(since=since, ip="127.0.0.1") == 3
    assert (
        store.accounts.count_login_tokens(since=utcnow() + timedelta(minutes=1), ip="127.0.0.1")
        == 0
    )


def test_users_roles_profile_and_duplicates(store: Store) -> None:
    admin = store.accounts.create_user("root@example.org", role="admin", display_name="Root")
    assert admin.is_admin and admin.is_curator
    with pytest.raises(Conflict):
        store.accounts.create_user("root@example.org")
    store.accounts.update_profile(admin.id, "<b>Root</b>", "Lab")
    store.accounts.set_user_role(admin.id, "curator")
    store.accounts.set_user_suspended(admin.id, True)
    got = store.accounts.get_user(admin.id)
    assert got is not None
    assert (got.display_name, got.affiliation, got.role, got.suspended) == (
        "<b>Root</b>",
        "Lab",
        "curator",
        True,
    )


def test_ending_sessions_bumps_the_generation(store: Store) -> None:
    from paperboy.accounts import session_user, set_suspended, sign_out

    user = store.accounts.create_user("gen@example.org")
    assert user.session_generation == 0
    assert session_user(store, user.id, 0) == user
    assert session_user(store, user.id, None) == user  # a cookie from before generations
    sign_out(store, user)
    fresh = store.accounts.get_user(user.id)
    assert fresh is not None and fresh.session_generation == 1
    assert session_user(store, user.id, 0) is None
    assert session_user(store, user.id, 1) == fresh
    set_suspended(store, "gen@example.org", True)
    assert session_user(store, user.id, 2) is None  # suspended
    set_suspended(store, "gen@example.org", False)
    assert session_user(store, user.id, 1) is None  # ended by the suspension
    assert session_user(store, user.id, 2) is not None
    for bad_id, bad_gen in [("1", 2), (True, 2), (user.id, "2"), (user.id, 2.0)]:
        assert session_user(store, bad_id, bad_gen) is None


def test_a_link_names_its_address_while_it_works(store: Store) -> None:
    add_token(store, "e" * 64, "eve@example.org")
    assert store.accounts.login_token_email("e" * 64, now=utcnow()) == "eve@example.org"
    assert store.accounts.login_token_email("f" * 64, now=utcnow()) is None
    later = utcnow() + timedelta(minutes=16)
    assert store.accounts.login_token_email("e" * 64, now=later) is None
    store.accounts.consume_login_token("e" * 64)
    assert store.accounts.login_token_email("e" * 64, now=utcnow()) is None
