"""Rendering emails: pure functions from data to an ``EmailMessage`` (text + HTML, no
remote images, nothing sent)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from markupsafe import escape

from paperboy.config import Settings


def mail_domain(settings: Settings) -> str:
    """The domain of the From address (for Message-IDs and List-Id)."""
    return parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"


def new_message(
    settings: Settings, to: str, subject: str, message_id: str | None = None
) -> EmailMessage:
    """An automatic message from paperboy to ``to``, headers set, no body yet."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id or make_msgid(domain=mail_domain(settings))
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def render_sign_in_email(link: str, to: str, settings: Settings) -> EmailMessage:
    """The sign-in email for ``to`` carrying ``link`` (valid for login_link_minutes)."""
    minutes = settings.login_link_minutes
    site = settings.base_url.rstrip("/")
    msg = new_message(settings, to, "Your paperboy sign-in link")
    msg.set_content(
        f"Hello,\n\n"
        f"Someone (hopefully you) asked to sign in to paperboy at {site}.\n"
        f"Open this link to sign in; it works once and expires in {minutes} minutes:\n\n"
        f"{link}\n\n"
        f"If you did not ask for it, ignore this email: nothing happens without the link.\n"
    )
    msg.add_alternative(
        '<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">'
        "<p>Hello,</p>"
        f"<p>Someone (hopefully you) asked to sign in to paperboy at {escape(site)}.</p>"
        f'<p><a href="{escape(link)}">Sign in to paperboy</a></p>'
        f"<p>The link works once and expires in {minutes} minutes. If the button does not "
        f"work, copy this address into your browser:<br>{escape(link)}</p>"
        "<p>If you did not ask for it, ignore this email: nothing happens without the "
        "link.</p></body></html>",
        subtype="html",
    )
    return msg
