"""Revocable sessions.

A browser session is a signed cookie (the web layer's business) holding the account's
id and the *session generation* it was issued under. Every request looks the account up
and accepts the session only while the account is in good standing and its generation
is unchanged. Bumping the generation therefore ends every session issued before it,
copies of the cookie included: signing out, "sign out everywhere" and suspension do.

API tokens and private feed addresses are separate credentials: they are revoked one by
one on the profile page, never by signing out.
"""

from __future__ import annotations

import logging

from paperboy.accounts.addresses import normalize_email
from paperboy.errors import NotFound
from paperboy.store import Store, StoredUser

log = logging.getLogger("paperboy.accounts")

__all__ = ["session_user", "set_suspended", "sign_out", "sign_out_everywhere_else"]


def session_user(store: Store, user_id: object, generation: object) -> StoredUser | None:
    """The account a session names, or None when the session is over: no such account,
    suspended, or signed out since (another generation). A cookie from before sessions
    had generations counts as generation 0."""
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None
    gen = 0 if generation is None else generation
    if not isinstance(gen, int) or isinstance(gen, bool):
        return None
    user = store.accounts.get_user(user_id)
    if user is None or user.suspended or user.session_generation != gen:
        return None
    return user


def sign_out(store: Store, user: StoredUser) -> None:
    """End every session of the account (a copied cookie dies with the original)."""
    store.accounts.end_sessions(user.id)


def sign_out_everywhere_else(store: Store, user: StoredUser) -> StoredUser:
    """End every session of the account; the caller starts a new one for the browser
    that asked, with the account returned (its new generation)."""
    store.accounts.end_sessions(user.id)
    fresh = store.accounts.get_user(user.id)
    if fresh is None:
        raise NotFound("no such account")
    return fresh


def set_suspended(store: Store, email: str, suspended: bool) -> StoredUser:
    """Suspend (ending every session: they stay ended after unsuspending) or unsuspend
    the account with this address; NotFound if there is none."""
    address = normalize_email(email)
    account = store.accounts.get_user_by_email(address)
    if account is None:
        raise NotFound(f"no account with email {address}")
    if suspended:
        store.accounts.end_sessions(account.id)
    store.accounts.set_user_suspended(account.id, suspended)
    log.info("%s account %s", "suspended" if suspended else "unsuspended", account.id)
    return account
