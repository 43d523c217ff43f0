"""Email addresses: the one normal form every address takes before it is stored,
counted against a limit or handed to the mail server.

An address is refused unless it means exactly one mailbox, written exactly one way, to
every program that reads it afterwards: a rate limit counts the normal form, so two
spellings of one inbox must never both pass. That is why, beyond syntax (checked by
``email-validator``, without DNS):

- the local part is plain ASCII (digests go over plain SMTP, without SMTPUTF8);
- RFC 2047 encoded words (``=?utf-8?q?victim?=@...``) are refused: Python's email
  package decodes them in a To header, so the mail would go to ``victim@...`` while the
  limit counted the encoded spelling;
- control characters, quoting, comments, brackets, several addresses and source routes
  (``%``, ``!``) are refused;
- the address must come back unchanged from the header parser that smtplib uses to pick
  the envelope recipient (the last word on "would anything re-interpret this");
- the domain is kept in its ASCII (IDNA) form and everything in lower case, so
  ``Ada@Bücher.example`` and ``ada@xn--bcher-kva.example`` are one address.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import getaddresses

from email_validator import EmailNotValidError, validate_email

from paperboy.errors import InvalidInput

MAX_EMAIL_LENGTH = 254
INVALID = "enter a valid email address, like name@example.org"
# Mail goes out over plain SMTP; an internationalised local part needs SMTPUTF8 end to end,
# which many relays do not offer.
NOT_ASCII = "enter a valid email address with only ASCII letters before the @"
# Characters valid in an atom that some relays still route on (``user%host@relay``,
# ``host!user@relay``), so they could name another mailbox than the one counted.
_ROUTING = frozenset("%!")

__all__ = ["MAX_EMAIL_LENGTH", "mask_email", "normalize_email"]


def normalize_email(raw: str) -> str:
    """The address in its stored form (trimmed, lower case, ASCII domain); InvalidInput
    for anything that is not one plain address."""
    candidate = raw.strip()
    if (
        not candidate
        or len(candidate) > MAX_EMAIL_LENGTH
        or "=?" in candidate
        or any(ord(c) < 33 or ord(c) == 127 for c in candidate)
        or _ROUTING.intersection(candidate)
    ):
        raise InvalidInput(INVALID)
    if not candidate.rpartition("@")[0].isascii():
        raise InvalidInput(NOT_ASCII)
    try:
        checked = validate_email(
            candidate,
            check_deliverability=False,  # syntax only: no DNS on a web request
            allow_smtputf8=False,  # ASCII local part
            allow_quoted_local=False,
            allow_domain_literal=False,
            globally_deliverable=False,  # intranet domains (corp.internal) are fine
            strict=True,  # RFC 5321 lengths: at most 64 characters before the @
        )
    except EmailNotValidError:
        raise InvalidInput(INVALID) from None
    email = checked.ascii_email
    if email is None or "." not in checked.ascii_domain:
        raise InvalidInput(INVALID)
    email = email.lower()
    if len(email) > MAX_EMAIL_LENGTH or not _reads_back_unchanged(email):
        raise InvalidInput(INVALID)
    return email


def _reads_back_unchanged(email: str) -> bool:
    """Whether the address survives a To header and smtplib's recipient extraction."""
    message = EmailMessage()
    try:
        message["To"] = email
        header = message["To"]
    except (ValueError, TypeError, IndexError):
        return False
    if header.defects or len(header.addresses) != 1:
        return False
    if header.addresses[0].addr_spec != email or str(header) != email:
        return False
    return getaddresses([str(header)]) == [("", email)]


def mask_email(email: str) -> str:
    """Enough of an address to recognise it, not to read it off a shoulder:
    ``a…@example.org``."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"
