"""The digest's "From what you follow" section: a subscriber whose account follows an
author name and a category gets the period's papers from them, each with its reason,
delivered through a real SMTP server (aiosmtpd); a subscriber without follows gets no
such section."""

from __future__ import annotations

from email.message import EmailMessage

from paperboy.config import Settings
from paperboy.digest import send_due_digests
from paperboy.feed.following import follow
from paperboy.store import Store
from tests.digest.conftest import DUE, ScriptedMailbox, subscribe

PAPER = "2606.28773"  # by Maëlle Gautrin, announced 2026-06-30 (cs.GT)


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_followed_names_and_categories_reach_the_digest(
    digest_settings: Settings, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    box, _ = smtp
    store = loaded_store
    reader = store.accounts.create_user("follower@example.org")
    follow(store, reader.id, "author", "maelle gautrin", 10)
    follow(store, reader.id, "category", "cs.IT", 10)
    # Trending takes only what has the word "zzyzx": nothing, so only followed papers.
    subscribe(store, reader.email, user_id=reader.id, include_keywords="zzyzx")
    other = store.accounts.create_user("other@example.org")
    subscribe(store, other.email, user_id=other.id, include_keywords="zzyzx")
    run = send_due_digests(store, digest_settings, now=DUE)
    assert run.sent == 1 and box.recipients() == {"follower@example.org": 1}
    text = _text(box.messages[0])
    assert "From what you follow" in text
    gautrin = text.index(f"/paper/{PAPER}")
    assert "by maelle gautrin" in text[gautrin : gautrin + 800]
    in_it = [p for p in store.papers.feed(DUE.date(), DUE.date(), category="cs.IT").papers]
    assert in_it and all(f"/paper/{p.arxiv_id}" in text for p in in_it)
    assert "in cs.IT" in text
