"""Sending email over SMTP (none, STARTTLS or implicit TLS), with timeouts."""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from email.message import EmailMessage

from paperboy.config import Settings
from paperboy.errors import MailError

log = logging.getLogger("paperboy.mail")


def open_smtp(settings: Settings) -> smtplib.SMTP:
    """A connection to the configured server, secured and logged in as configured.
    Raises smtplib.SMTPException or OSError."""
    host, port, timeout = settings.smtp_host, settings.smtp_port, settings.smtp_timeout
    # Certificates are always verified; a private CA is trusted through smtp_ca_file.
    ca_file = str(settings.smtp_ca_file) if settings.smtp_ca_file else None
    smtp: smtplib.SMTP
    if settings.smtp_security == "ssl":
        context = ssl.create_default_context(cafile=ca_file)
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        # Small writes (the final dot after a message body) must not wait for the
        # server's delayed ACK under Nagle's algorithm: ~40 ms a message otherwise.
        if smtp.sock is not None:
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if settings.smtp_security == "starttls":
            smtp.starttls(context=ssl.create_default_context(cafile=ca_file))
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def describe_smtp_failure(settings: Settings, exc: BaseException) -> str:
    return (
        f"could not send mail through {settings.smtp_host}:{settings.smtp_port} "
        f"({settings.smtp_security}): {type(exc).__name__}: {exc}"
    )


def send_email(settings: Settings, message: EmailMessage) -> None:
    """Send one message through the configured SMTP server; MailError on failure."""
    try:
        with open_smtp(settings) as smtp:
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(describe_smtp_failure(settings, exc)) from None


def send_link_email(settings: Settings, message: EmailMessage, link: str, what: str) -> None:
    """Send an email whose point is ``link``. In development the link is also logged,
    and a failing mail server only logs a warning, so a site works without one."""
    if settings.environment == "development":
        log.info("%s for %s (development only): %s", what, message["To"], link)
    try:
        send_email(settings, message)
    except MailError as exc:
        if settings.environment != "development":
            raise
        log.warning("%s; use the link printed above", exc.detail)
