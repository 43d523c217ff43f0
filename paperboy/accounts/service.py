"""Sign-in by emailed link.

``request_sign_in`` gives every caller the same answer (it returns nothing): whether the
address has an account, is suspended or hit a rate limit is never visible to the person
asking. Only a SHA-256 of each token is stored; a link works once and expires after
``login_link_minutes``.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from paperboy.accounts.addresses import mask_email, normalize_email
from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.errors import Forbidden, LinkExpired
from paperboy.mail import render_sign_in_email, send_link_email
from paperboy.store import Store, StoredUser
from paperboy.store.accounts import ROLES

log = logging.getLogger("paperboy.accounts")

DEFAULT_AFTER_SIGN_IN = "/profile"

__all__ = [
    "ROLES",
    "hash_token",
    "request_sign_in",
    "safe_next",
    "sign_in_link_account",
    "verify_sign_in",
]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def safe_next(value: str | None) -> str:
    """A local path to go to after signing in; anything else (another site, a scheme,
    ``//host``, backslashes, control characters) becomes the profile page."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return DEFAULT_AFTER_SIGN_IN
    if "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return DEFAULT_AFTER_SIGN_IN
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return DEFAULT_AFTER_SIGN_IN
    return value[:500]


def request_sign_in(
    store: Store, settings: Settings, raw_email: str, ip: str | None, next_path: str | None = None
) -> None:
    """Email a sign-in link to ``raw_email`` unless a rate limit says no.

    Raises InvalidInput for a malformed address, and MailError when the mail server
    fails outside development; otherwise the caller learns nothing."""
    email = normalize_email(raw_email)
    now = utcnow()
    hour_ago = now - timedelta(hours=1)
    if store.accounts.count_login_tokens(since=hour_ago, email=email) >= (
        settings.sign_in_limit_per_email_hour
    ):
        log.warning("sign-in limit reached for an address; no email sent")
        return
    if (
        ip
        and store.accounts.count_login_tokens(since=hour_ago, ip=ip)
        >= settings.sign_in_limit_per_ip_hour
    ):
        log.warning("sign-in limit reached for IP %s; no email sent", ip)
        return
    user = store.accounts.get_user_by_email(email)
    if user is not None and user.suspended:
        log.info("sign-in requested for a suspended account; no email sent")
        return
    token = secrets.token_urlsafe(32)
    store.accounts.add_login_token(
        hash_token(token),
        email,
        ip[:64] if ip else None,
        created_at=now,
        expires_at=now + timedelta(minutes=settings.login_link_minutes),
    )
    query = {"token": token}
    target = safe_next(next_path)
    if target != DEFAULT_AFTER_SIGN_IN:
        query["next"] = target
    link = f"{settings.base_url.rstrip('/')}/signin/verify?{urlencode(query)}"
    send_link_email(settings, render_sign_in_email(link, email, settings), link, "sign-in link")


def sign_in_link_account(store: Store, token: str) -> str | None:
    """The account a link would sign in to now, masked (``a…@example.org``), or None
    when the link would not work. Read only: mail scanners prefetch links.

    The confirmation page shows it, so a link someone else sent (to sign the reader into
    the sender's account: login CSRF) does not go unnoticed."""
    if not token:
        return None
    email = store.accounts.login_token_email(hash_token(token), now=utcnow())
    return mask_email(email) if email else None


def verify_sign_in(store: Store, token: str) -> StoredUser:
    """Use up the link and return its account (created on first sign-in)."""
    user = store.accounts.consume_login_token(hash_token(token)) if token else None
    if user is None:
        raise LinkExpired(
            "This sign-in link has expired or has already been used. "
            "Links work once and only for a short time; ask for a new one."
        )
    if user.suspended:
        raise Forbidden("This account is suspended.")
    return user
