"""Rendering emails: pure functions from data to an ``EmailMessage`` (text + HTML, no
remote images, nothing sent)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from markupsafe import escape

from paperboy.config import Settings


def render_sign_in_email(link: str, to: str, settings: Settings) -> EmailMessage:
    """The sign-in email for ``to`` carrying ``link`` (valid for login_link_minutes)."""
    minutes = settings.login_link_minutes
    site = settings.base_url.rstrip("/")
    msg = EmailMessage()
    msg["Subject"] = "Your paperboy sign-in link"
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False)
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
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
