"""Subscribing, confirming (double opt-in), changing preferences and unsubscribing.

Links in emails carry tokens. The confirmation token is random, stored as a SHA-256,
single-use and expiring. The unsubscribe and preferences tokens are signed (HMAC with
the secret key, different salts) over the subscription's id and address: they never
expire, so a link in a year-old digest still works, and nobody can make one for another
subscription.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeSerializer

from paperboy.accounts import hash_token, normalize_email
from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.digest.preferences import Preferences
from paperboy.digest.render import render_confirmation_email, render_manage_email
from paperboy.errors import Conflict, Forbidden, LinkExpired, SignInRequired
from paperboy.mail import send_link_email
from paperboy.store import Store, StoredUser
from paperboy.store.digests import StoredSubscription

log = logging.getLogger("paperboy.digest")

# The same address gets at most one confirmation (or reminder) email per this interval,
# whatever the form is asked: the form cannot be used to flood someone's inbox.
RESEND_INTERVAL = timedelta(minutes=10)
PURPOSES = ("unsubscribe", "manage")


@dataclass(frozen=True, slots=True)
class SubscribeOutcome:
    email: str  # the normalised address
    # "active": subscribed at once (a signed-in reader's own address); "confirm": a
    # confirmation email is on its way (or went out minutes ago, or a limit held it
    # back: the asker cannot tell); "reminded": the address was already subscribed and
    # got its preferences link.
    state: str
    # None only when the per-IP limit refused before anything was stored.
    subscription: StoredSubscription | None


def _serializer(settings: Settings, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt=f"paperboy-digest-{purpose}")


def subscription_token(settings: Settings, sub: StoredSubscription, purpose: str) -> str:
    assert purpose in PURPOSES
    return str(_serializer(settings, purpose).dumps([sub.id, sub.email]))


def subscription_link(settings: Settings, sub: StoredSubscription, purpose: str) -> str:
    path = "/unsubscribe" if purpose == "unsubscribe" else "/subscription"
    token = subscription_token(settings, sub, purpose)
    return f"{settings.base_url.rstrip('/')}{path}?{urlencode({'token': token})}"


def subscription_for_token(
    store: Store, settings: Settings, token: str, purpose: str
) -> StoredSubscription:
    """The subscription a signed link names; Forbidden if the signature is wrong or
    the address has changed since."""
    try:
        value = _serializer(settings, purpose).loads(token)
    except BadSignature:
        raise Forbidden("this link is not valid (it may have been cut short)") from None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        raise Forbidden("this link is not valid")
    sub = store.digests.get_subscription(value[0])
    if sub is None or sub.email != value[1]:
        raise Forbidden("this link no longer matches a subscription")
    return sub


def reader_subscription(store: Store, user: StoredUser) -> StoredSubscription | None:
    """The signed-in reader's subscription: linked to the account, or to its address."""
    return store.digests.get_subscription_for_user(
        user.id
    ) or store.digests.get_subscription_by_email(user.email)


def subscription_to_change(
    store: Store, settings: Settings, user: StoredUser | None, token: str
) -> StoredSubscription:
    """The subscription a preferences request may change: the signed link's, or the
    signed-in reader's own. SignInRequired with neither; Forbidden for a bad link or a
    reader without a subscription."""
    if token:
        return subscription_for_token(store, settings, token, "manage")
    if user is None:
        raise SignInRequired(
            "open this page from the link in one of your digests, or sign in",
            next_path="/subscription",
        )
    sub = reader_subscription(store, user)
    if sub is None:
        raise Forbidden("you have no digest subscription yet: subscribe from your profile")
    return sub


def request_subscription(
    store: Store,
    settings: Settings,
    raw_email: str,
    prefs: Preferences,
    *,
    user: StoredUser | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> SubscribeOutcome:
    """Subscribe ``raw_email``. A signed-in reader subscribing their own (proven)
    address is active at once; anyone else gets a confirmation email and nothing is sent
    until they confirm. An active subscriber asking again gets a reminder with the
    preferences link instead. Emails asked for from one ``ip`` are limited per hour
    (``subscribe_limit_per_ip_hour``), one address gets one per ``RESEND_INTERVAL``.
    InvalidInput for a malformed address; MailError when the mail server fails (outside
    development)."""
    # The normal form (ASCII: digests go out over plain SMTP, without SMTPUTF8) comes
    # before any lookup or limit, so one inbox cannot hide behind several spellings.
    email = normalize_email(raw_email)
    now = now or utcnow()
    own_address = user is not None and user.email == email
    if not own_address and ip and _over_ip_limit(store, settings, ip, now):
        log.warning("subscription limit reached for IP %s; no email sent", ip)
        return SubscribeOutcome(email, "confirm", store.digests.get_subscription_by_email(email))
    sub = store.digests.get_subscription_by_email(email)
    if sub is None:
        try:
            sub = store.digests.create_subscription(
                email,
                user_id=user.id if own_address and user else None,
                status="active" if own_address else "pending",
                preferences=prefs.as_columns(),
                now=now,
            )
        except Conflict:  # the same address subscribed at the same moment
            sub = store.digests.get_subscription_by_email(email)
            assert sub is not None
        if own_address:
            return SubscribeOutcome(email, "active", sub)
    elif own_address and user is not None:
        # The footer and profile forms carry no preferences: keep the stored ones.
        store.digests.update_subscription(
            sub.id,
            user_id=user.id,
            status="active",
            confirmed_at=sub.confirmed_at or now,
            unsubscribed_at=None,
            bounced_at=None,
            bounce_reason=None,
        )
        fresh = store.digests.get_subscription(sub.id)
        assert fresh is not None
        return SubscribeOutcome(email, "active", fresh)
    if sub.confirm_sent_at is not None and now - sub.confirm_sent_at < RESEND_INTERVAL:
        log.info("subscription email sent recently; not sending another")
        return SubscribeOutcome(email, "confirm", sub)
    ip = ip[:64] if ip else None
    if sub.status == "active":
        store.digests.update_subscription(sub.id, confirm_sent_at=now, confirm_ip=ip)
        manage = subscription_link(settings, sub, "manage")
        message = render_manage_email(
            email, manage, subscription_link(settings, sub, "unsubscribe"), settings
        )
        send_link_email(settings, message, manage, "digest preferences link")
        return SubscribeOutcome(email, "reminded", sub)
    if sub.status != "pending":  # unsubscribed or bouncing: starting again needs a new yes
        store.digests.update_subscription(sub.id, status="pending")  # preferences kept
    token = secrets.token_urlsafe(32)
    store.digests.set_confirm_token(
        sub.id,
        hash_token(token),
        sent_at=now,
        expires_at=now + timedelta(hours=settings.digest_confirm_hours),
        ip=ip,
    )
    link = f"{settings.base_url.rstrip('/')}/subscribe/confirm?{urlencode({'token': token})}"
    message = render_confirmation_email(email, link, prefs, settings)
    send_link_email(settings, message, link, "subscription confirmation link")
    fresh = store.digests.get_subscription(sub.id)
    assert fresh is not None
    return SubscribeOutcome(email, "confirm", fresh)


def _over_ip_limit(store: Store, settings: Settings, ip: str, now: datetime) -> bool:
    sent = store.digests.count_confirmations_from(ip[:64], since=now - timedelta(hours=1))
    return sent >= settings.subscribe_limit_per_ip_hour


def confirmation_link_is_valid(store: Store, token: str) -> bool:
    """Read only: mail scanners open links, so a GET must not confirm anything."""
    return bool(token) and store.digests.confirm_token_is_valid(hash_token(token), now=utcnow())


def confirm_subscription(store: Store, token: str) -> StoredSubscription:
    """Use up a confirmation link: the subscription becomes active. An account with the
    same (now proven) address is linked, so its saved and upvoted papers feed the
    digest's "for you" section."""
    sub = store.digests.consume_confirm_token(hash_token(token)) if token else None
    if sub is None:
        raise LinkExpired(
            "This confirmation link has expired or has already been used. "
            "Subscribe again to get a new one."
        )
    if sub.user_id is None:
        user = store.accounts.get_user_by_email(sub.email)
        if user is not None:
            store.digests.update_subscription(sub.id, user_id=user.id)
            sub = store.digests.get_subscription(sub.id) or sub
    return sub


def save_preferences(store: Store, sub: StoredSubscription, prefs: Preferences) -> None:
    store.digests.update_subscription(sub.id, **prefs.as_columns())
