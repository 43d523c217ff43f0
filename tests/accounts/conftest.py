"""A real SMTP server on localhost (aiosmtpd) that keeps what it receives, and an app
whose mail goes there."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from paperboy.config import Settings
from paperboy.store import Store
from paperboy.web import create_app


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 OK"

    def links(self) -> list[str]:
        found = []
        for msg in self.messages:
            body = msg.get_body(("plain",))
            assert body is not None
            found += re.findall(r"https?://\S+/signin/verify\?\S+", body.get_content())
        return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(handler: Any) -> Iterator[int]:
    """A real SMTP server (aiosmtpd) on a free localhost port, serving ``handler``."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with smtp_server(box) as port:
        yield box, port


def make_settings(tmp_path: Path, port: int, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "base_url": "http://testserver",
        "background_indexing": False,
        "digest_scheduler": False,
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_timeout": 5,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def mail_settings(tmp_path: Path, mailbox: tuple[Mailbox, int]) -> Settings:
    return make_settings(tmp_path, mailbox[1], sign_in_limit_per_email_hour=3)


@pytest.fixture
def accounts_client(mail_settings: Settings, sqlite_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(mail_settings, sqlite_store), follow_redirects=False) as c:
        yield c
