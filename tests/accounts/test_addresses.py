"""Email addresses: one normal form, checked before any limit is counted, so a stranger
cannot flood an inbox by writing the same address many ways (issue 10, fix 2).

The attack: an RFC 2047 encoded word in the local part (``=?utf-8?q?victim?=@...``) is a
valid-looking atom to a regular expression, so each spelling was stored (and counted)
as a different address, while Python's email machinery decoded it and the mail went to
``victim@...``. These tests send the attacker's inputs through the real app to a real
SMTP server and count what each inbox receives (by RCPT TO, what a server delivers on).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from paperboy.accounts import normalize_email
from paperboy.errors import InvalidInput
from paperboy.store import Store
from paperboy.web import create_app
from tests.accounts.conftest import make_settings, smtp_server
from tests.accounts.test_sign_in import csrf_of

VICTIM = "victim@example.org"


@dataclass
class Inboxes:
    """An SMTP server's deliveries, counted per envelope recipient."""

    delivered: Counter[str] = field(default_factory=Counter)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.delivered.update(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def inboxes() -> Iterator[tuple[Inboxes, int]]:
    box = Inboxes()
    with smtp_server(box) as port:
        yield box, port


def spellings(count: int) -> list[str]:
    """``count`` different encoded-word spellings of the victim's local part."""
    out = []
    for i in range(count):
        local = "".join(f"={ord(c):02x}" if i >> k & 1 else c for k, c in enumerate("victim"))
        out.append(f"=?utf-8?q?{local}?=@example.org")
    return out


# Inputs an attacker sends, each of which must be refused outright.
HOSTILE = [
    "=?utf-8?q?victim?=@example.org",
    "=?utf-8?b?dmljdGlt?=@example.org",
    "victim=?utf-8?q??=@example.org",
    "vic\x00tim@example.org",
    "victim\x00@example.org",
    "victim@example.org\x00",
    "vic\ttim@example.org",
    "victim@example.org\r\nBcc: other@example.org",
    "victim@exa\x7fmple.org",
    "victim@example.org, other@example.org",
    "Victim <victim@example.org>",
    "<victim@example.org>",
    "victim@example.org (comment)",
    "(comment)victim@example.org",
    '"victim"@example.org',
    '"vic tim"@example.org',
    "vic\\tim@example.org",
    "victim@[127.0.0.1]",
    "victim@localhost",
    "victim@example.org.",
    ".victim@example.org",
    "vic..tim@example.org",
    "vïctim@example.org",
    "victim@@example.org",
    "@example.org",
    "victim@",
    "victim",
    "",
    "a" * 65 + "@example.org",
    "victim@" + "a" * 250 + ".org",
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_addresses_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_email(raw)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("  Ada@Example.org ", "ada@example.org"),
        ("ada.lovelace+papers@example.org", "ada.lovelace+papers@example.org"),
        ("o'brien@example.co.uk", "o'brien@example.co.uk"),
        # An internationalised domain is kept in its ASCII (IDNA) form: one spelling.
        ("ada@Bücher.example", "ada@xn--bcher-kva.example"),
        ("ada@xn--bcher-kva.example", "ada@xn--bcher-kva.example"),
    ],
)
def test_addresses_have_one_normal_form(raw: str, normal: str) -> None:
    assert normalize_email(raw) == normal


def test_subscribe_cannot_flood_an_inbox(
    tmp_path: Path, sqlite_store: Store, inboxes: tuple[Inboxes, int]
) -> None:
    box, port = inboxes
    settings = make_settings(tmp_path, port)
    with TestClient(create_app(settings, sqlite_store), follow_redirects=False) as client:
        csrf = csrf_of(client.get("/subscribe").text)
        for address in [*spellings(30), VICTIM, VICTIM.upper()]:
            client.post("/subscribe", data={"email": address, "csrf_token": csrf})
    # Before the fix: 30 confirmation mails in the victim's inbox (one per spelling).
    assert box.delivered[VICTIM] == 1
    assert set(box.delivered) == {VICTIM}


def test_sign_in_links_cannot_flood_an_inbox(
    tmp_path: Path, sqlite_store: Store, inboxes: tuple[Inboxes, int]
) -> None:
    box, port = inboxes
    settings = make_settings(tmp_path, port, sign_in_limit_per_email_hour=5)
    with TestClient(create_app(settings, sqlite_store), follow_redirects=False) as client:
        csrf = csrf_of(client.get("/signin").text)
        for address in [*spellings(8), *[VICTIM] * 8]:
            client.post("/signin", data={"email": address, "csrf_token": csrf})
    # Before the fix: 8 links from the encoded spellings, then 5 more for the plain one.
    assert box.delivered[VICTIM] == 5
    assert set(box.delivered) == {VICTIM}


def test_control_characters_never_reach_the_mail_server(
    tmp_path: Path, sqlite_store: Store, inboxes: tuple[Inboxes, int]
) -> None:
    box, port = inboxes
    settings = make_settings(tmp_path, port)
    with TestClient(create_app(settings, sqlite_store), follow_redirects=False) as client:
        csrf = csrf_of(client.get("/subscribe").text)
        for address in HOSTILE:
            for path in ("/subscribe", "/signin"):
                answer = client.post(path, data={"email": address, "csrf_token": csrf})
                assert answer.status_code == 422, (path, address, answer.status_code)
                assert "valid email address" in answer.text
    assert not box.delivered


def test_subscribe_has_a_per_ip_limit(
    tmp_path: Path, sqlite_store: Store, inboxes: tuple[Inboxes, int]
) -> None:
    box, port = inboxes
    settings = make_settings(tmp_path, port, subscribe_limit_per_ip_hour=4)
    with TestClient(create_app(settings, sqlite_store), follow_redirects=False) as client:
        csrf = csrf_of(client.get("/subscribe").text)
        for i in range(10):
            answer = client.post(
                "/subscribe", data={"email": f"reader{i}@example.org", "csrf_token": csrf}
            )
            # Everyone gets the same answer: the limit is not an oracle.
            assert answer.status_code == 200
            assert "Check your inbox" in answer.text
    assert sum(box.delivered.values()) == 4
