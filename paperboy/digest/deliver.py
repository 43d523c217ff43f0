"""Delivering digests over one reused SMTP connection, with the commit point inside the
SMTP transaction.

SMTP accepts a message when the client sends the final ``.`` line. ``deliver`` sends
everything before it, then calls ``commit`` (the outbox compare-and-set), and sends the
dot only if the commit succeeded. A crash before the commit leaves the row pending and
the server drops the unfinished message when the connection dies; a crash after it
leaves the row sent. A rerun therefore never sends a digest twice. The one unavoidable
gap between two systems: a crash in the microseconds between the commit and the dot
loses that single digest rather than duplicating it (see docs/operations.md).
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable
from email.utils import parseaddr

from paperboy.config import Settings
from paperboy.mail.send import describe_smtp_failure, open_smtp

MESSAGES_PER_CONNECTION = 200
_LINE_START_DOT = re.compile(rb"(?m)^\.")
_BARE_LF = re.compile(rb"\r?\n")
_ENHANCED = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}")


class DeliveryError(Exception):
    """The server refused the message (``code`` 4xx: try later; 5xx: permanent)."""

    def __init__(self, code: int, reply: str, stage: str, *, claimed: bool = False) -> None:
        super().__init__(f"{code} {reply}")
        self.code = code
        self.reply = reply
        self.stage = stage  # the command refused: mail, rcpt, data or dot
        self.claimed = claimed  # the outbox row was already marked sent

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600

    @property
    def enhanced(self) -> str:
        """The RFC 3463 enhanced status code at the start of the reply, e.g. "5.7.1"."""
        found = _ENHANCED.match(self.reply)
        return found.group(0) if found else ""

    @property
    def refuses_us(self) -> bool:
        """The server refuses paperboy, not this address or message: any refusal of MAIL
        FROM or DATA, 421 (closing), 503 (bad sequence), or a 5.7.x/4.7.x security or
        policy code (relay denied, authentication required, DMARC). Sending on would
        only fail every digest the same way."""
        return (
            self.stage in ("mail", "data")
            or self.code in (421, 503)
            or self.enhanced.startswith(("5.7.", "4.7."))
        )

    @property
    def bounce(self) -> bool:
        """A permanent refusal of the recipient: the address is bad."""
        return self.permanent and self.stage == "rcpt" and not self.refuses_us


class ConnectionFailed(Exception):
    """The SMTP server could not be reached or dropped the connection."""

    def __init__(self, message: str, *, claimed: bool = False) -> None:
        super().__init__(message)
        self.claimed = claimed


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())[:500]


def wire_bytes(message: bytes) -> bytes:
    """The message as sent inside DATA: CRLF line ends, leading dots doubled."""
    data = _BARE_LF.sub(b"\r\n", message)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return _LINE_START_DOT.sub(b"..", data)


class SmtpSession:
    """One SMTP connection used for many messages, reopened when needed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sender = parseaddr(settings.mail_from)[1] or "paperboy@localhost"
        self._smtp: smtplib.SMTP | None = None
        self._count = 0

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self, *, abort: bool = False) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            if abort:
                smtp.close()  # no QUIT: an unfinished DATA must not be completed
            else:
                smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None and self._count >= MESSAGES_PER_CONNECTION:
            self.close()
        if self._smtp is None:
            try:
                self._smtp = open_smtp(self.settings)
            except (smtplib.SMTPException, OSError) as exc:
                raise ConnectionFailed(describe_smtp_failure(self.settings, exc)) from None
            self._count = 0
        return self._smtp

    def deliver(self, message: bytes, recipient: str, commit: Callable[[], bool]) -> bool:
        """Send ``message`` to ``recipient``. ``commit`` runs just before the final dot;
        when it returns False the transaction is abandoned and nothing is delivered.
        Returns whether the message was delivered; raises DeliveryError or
        ConnectionFailed."""
        smtp = self._connection()
        claimed = False
        try:
            smtp.ehlo_or_helo_if_needed()
            code, reply = smtp.mail(self.sender)
            if code != 250:
                self._reset(smtp)
                raise DeliveryError(code, _reply_text(reply), "mail")
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                self._reset(smtp)
                raise DeliveryError(code, _reply_text(reply), "rcpt")
            code, reply = smtp.docmd("DATA")
            if code != 354:
                self._reset(smtp)
                raise DeliveryError(code, _reply_text(reply), "data")
            smtp.send(wire_bytes(message))
            if not commit():
                self.close(abort=True)
                return False
            claimed = True
            smtp.send(b".\r\n")
            code, reply = smtp.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self.close(abort=True)
            raise ConnectionFailed(
                describe_smtp_failure(self.settings, exc), claimed=claimed
            ) from None
        self._count += 1
        if code != 250:
            raise DeliveryError(code, _reply_text(reply), "dot", claimed=True)
        return True

    def _reset(self, smtp: smtplib.SMTP) -> None:
        try:
            smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close(abort=True)
