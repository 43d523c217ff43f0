"""Sending email over SMTP (none, STARTTLS or implicit TLS), with timeouts."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from paperboy.config import Settings
from paperboy.errors import MailError


def send_email(settings: Settings, message: EmailMessage) -> None:
    """Send one message through the configured SMTP server; MailError on failure."""
    host, port, timeout = settings.smtp_host, settings.smtp_port, settings.smtp_timeout
    try:
        smtp: smtplib.SMTP
        if settings.smtp_security == "ssl":
            smtp = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if settings.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(
            f"could not send mail through {host}:{port} ({settings.smtp_security}): "
            f"{type(exc).__name__}: {exc}"
        ) from None
