"""Digest fixtures: the fixture papers, a real SMTP server (aiosmtpd) that can refuse or
defer chosen recipients, and subscribers made straight in the store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from paperboy.config import Settings
from paperboy.digest.preferences import Preferences, make_preferences
from paperboy.store import Store
from paperboy.store.digests import StoredSubscription
from tests.accounts.conftest import Mailbox, make_settings, smtp_server

# Tuesday 30 June 2026, 08:00 UTC: the daily digest of that day (13 fixture papers) is
# due; a weekly digest on Tuesday covers all 37 fixture papers (24-30 June).
DUE = datetime(2026, 6, 30, 8, 0)


@dataclass
class ScriptedMailbox(Mailbox):
    """Accepts mail like a server would, except: ``refuse`` maps a recipient to a reply
    at RCPT; ``refuse_mail`` answers every MAIL FROM; ``reject_data`` maps a recipient to
    a reply at the end of DATA; ``defer`` recipients get a 451 at the end of DATA
    ``defer_times`` times before their mail is accepted."""

    refuse: dict[str, str] = field(default_factory=dict)
    refuse_mail: str | None = None  # a reply to every MAIL FROM
    reject_data: dict[str, str] = field(default_factory=dict)  # recipient → reply at the end
    defer: set[str] = field(default_factory=set)
    defer_times: int = 1
    deferred: Counter[str] = field(default_factory=Counter)
    # Transactions per recipient that reached RCPT, and those that reached the end of
    # DATA: more of the first means a transaction was cut (the client vanished).
    started: Counter[str] = field(default_factory=Counter)
    finished: Counter[str] = field(default_factory=Counter)

    def cut(self) -> set[str]:
        """Recipients with a transaction that never reached the end of DATA."""
        return {a for a, n in self.started.items() if n > self.finished[a]}

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse_mail:
            return self.refuse_mail
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        self.started[address] += 1
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        rcpt = envelope.rcpt_tos[0]
        self.finished[rcpt] += 1
        if rcpt in self.reject_data:
            return self.reject_data[rcpt]
        if rcpt in self.defer and self.deferred[rcpt] < self.defer_times:
            self.deferred[rcpt] += 1
            return "451 4.3.0 try again later"
        return await super().handle_DATA(server, session, envelope)

    def recipients(self) -> Counter[str]:
        return Counter(str(m["To"]) for m in self.messages)


@pytest.fixture
def smtp() -> Iterator[tuple[ScriptedMailbox, int]]:
    box = ScriptedMailbox()
    with smtp_server(box) as port:
        yield box, port


@pytest.fixture
def digest_settings(settings: Settings, smtp: tuple[ScriptedMailbox, int]) -> Settings:
    return make_settings(
        settings.data_dir,
        smtp[1],
        model_dir=settings.model_dir,
        digest_retry_minutes=10,
        digest_max_attempts=3,
    )


def subscribe(
    store: Store, email: str, *, user_id: int | None = None, **prefs: Any
) -> StoredSubscription:
    """An active (confirmed) subscriber with these preferences."""
    chosen = make_preferences(**prefs) if prefs else Preferences()
    return store.digests.create_subscription(
        email, user_id=user_id, status="active", preferences=chosen.as_columns()
    )
