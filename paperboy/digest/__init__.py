"""Email digests: subscriptions with double opt-in, composing trending and "for you"
picks per subscriber, rendering (pure), and exactly-once delivery through an outbox."""

from paperboy.digest.compose import Digest, DigestEntry, two_sentences
from paperboy.digest.outbox import Composer, DigestRun, send_due_digests
from paperboy.digest.periods import Period, latest_due_period, latest_period, period_from_key
from paperboy.digest.preferences import Preferences, make_preferences
from paperboy.digest.render import render_digest, render_digest_html, render_digest_text
from paperboy.digest.subscriptions import (
    confirm_subscription,
    request_subscription,
    subscription_for_token,
    subscription_link,
)

__all__ = [
    "Composer",
    "Digest",
    "DigestEntry",
    "DigestRun",
    "Period",
    "Preferences",
    "confirm_subscription",
    "latest_due_period",
    "latest_period",
    "make_preferences",
    "period_from_key",
    "render_digest",
    "render_digest_html",
    "render_digest_text",
    "request_subscription",
    "send_due_digests",
    "subscription_for_token",
    "subscription_link",
    "two_sentences",
]
