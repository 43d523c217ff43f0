"""Mail: rendering is pure; sending goes through a real SMTP server on localhost."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperboy.errors import MailError
from paperboy.mail import render_sign_in_email, send_email
from tests.accounts.conftest import Mailbox, free_port, make_settings


def test_sign_in_email_has_text_and_html_and_no_remote_images(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, 25, login_link_minutes=15)
    link = "http://testserver/signin/verify?token=abc&next=%2Fx"
    msg = render_sign_in_email(link, "ada@example.org", settings)
    assert msg["To"] == "ada@example.org" and msg["From"] == settings.mail_from
    assert msg["Subject"] and msg["Message-ID"]
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    assert link in text.get_content() and "15 minutes" in text.get_content()
    body = html.get_content()
    assert 'href="http://testserver/signin/verify?token=abc&amp;next=%2Fx"' in body
    assert "<img" not in body and "src=" not in body and "<script" not in body


def test_send_email_delivers(tmp_path: Path, mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    settings = make_settings(tmp_path, port)
    send_email(
        settings, render_sign_in_email("http://t/signin/verify?token=1", "a@b.org", settings)
    )
    assert len(box.messages) == 1 and box.messages[0]["To"] == "a@b.org"


def test_send_failure_is_a_clear_error(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, free_port())
    msg = render_sign_in_email("http://t/x", "a@b.org", settings)
    with pytest.raises(MailError, match=r"could not send mail through 127\.0\.0\.1"):
        send_email(settings, msg)
