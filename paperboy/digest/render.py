"""Rendering digest and confirmation emails: pure functions from data to an
``EmailMessage`` (plain text + HTML from the templates beside this module). Nothing here
reads the database or sends anything, so a digest can be previewed and tested as is.

The HTML uses tables and inline styles, the layout mail clients render alike, and no
remote images, fonts or scripts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from paperboy.config import Settings
from paperboy.digest.compose import Digest, DigestEntry
from paperboy.digest.periods import WEEKDAYS
from paperboy.digest.preferences import Preferences
from paperboy.mail.render import mail_domain, new_message

TEMPLATES = Path(__file__).parent / "templates"
_html = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True
)
_text = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=False,  # noqa: S701 - plain text parts: nothing is interpreted as markup
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
# Mail servers may refuse 8-bit bodies; quoted-printable keeps every line 7-bit and short.
_CTE = "quoted-printable"


def schedule_phrase(prefs: Preferences) -> str:
    if prefs.frequency == "weekly":
        return f"weekly ({WEEKDAYS[prefs.weekday]})"
    return "daily (weekdays)"


def filters_phrase(prefs: Preferences) -> str:
    parts = []
    if prefs.categories:
        parts.append("categories " + ", ".join(prefs.categories))
    if prefs.include_keywords:
        parts.append("with " + " or ".join(f"“{k}”" for k in prefs.include_keywords))
    if prefs.exclude_keywords:
        parts.append("without " + ", ".join(f"“{k}”" for k in prefs.exclude_keywords))
    return "; ".join(parts)


def digest_subject(digest: Digest) -> str:
    count = len(digest.trending) + len(digest.for_you) + len(digest.following)
    kind = "weekly" if digest.period.frequency == "weekly" else "daily"
    lead = (digest.trending or digest.for_you or digest.following)[0].title if count else ""
    if len(lead) > 70:
        lead = lead[:70].rsplit(" ", 1)[0] + "…"
    papers = f"{count} paper{'' if count == 1 else 's'}"
    return (
        f"paperboy {kind}: {lead} (+{count - 1} more)"
        if count > 1
        else f"paperboy {kind}: {lead or papers}"
    )


@lru_cache(maxsize=50_000)
def _entry_html(entry: DigestEntry) -> Markup:
    """One paper's block. Subscribers share papers, so each is rendered once."""
    # The output of an autoescaping template: safe to embed as is.
    return Markup(_html.get_template("_entry.html").render(entry=entry))  # noqa: S704


@lru_cache(maxsize=50_000)
def _entry_text(entry: DigestEntry) -> str:
    return _text.get_template("_entry.txt").render(entry=entry)


def _sections(digest: Digest, fragment: Any) -> list[dict[str, Any]]:
    sections = []
    if digest.trending:
        filters = filters_phrase(digest.preferences)
        # Nobody upvoted any of them yet (a quiet period, a new site): say so rather
        # than call newest-first "trending".
        quiet = not any(e.votes for e in digest.trending)
        if quiet:
            title = "New in your topics" if filters else "New papers"
            note = "No upvotes yet on this period's papers: newest first" + (
                f" ({filters})." if filters else "."
            )
        else:
            title = "Trending in your topics" if filters else "Trending papers"
            note = f"Most upvoted new papers first ({filters})." if filters else ""
        sections.append(
            {"title": title, "note": note, "fragments": [fragment(e) for e in digest.trending]}
        )
    if digest.for_you:
        sections.append(
            {
                "title": "For you",
                "note": "New papers like the ones you upvoted or saved.",
                "fragments": [fragment(e) for e in digest.for_you],
            }
        )
    if digest.following:
        sections.append(
            {
                "title": "From what you follow",
                "note": "New papers by the authors and in the categories you follow.",
                "fragments": [fragment(e) for e in digest.following],
            }
        )
    return sections


def _context(digest: Digest, fragment: Any) -> dict[str, Any]:
    entries = digest.trending or digest.for_you or digest.following
    first: DigestEntry | None = entries[0] if entries else None
    return {
        "digest": digest,
        "subject": digest_subject(digest),
        "heading": f"Your {digest.period.frequency} digest · {digest.period.label}",
        "preheader": first.title if first else "",
        "sections": _sections(digest, fragment),
        "schedule": schedule_phrase(digest.preferences),
        "site_name": digest.site_url.split("://", 1)[-1],
    }


def render_digest_html(digest: Digest) -> str:
    return _html.get_template("digest.html").render(_context(digest, _entry_html))


def render_digest_text(digest: Digest) -> str:
    return _text.get_template("digest.txt").render(_context(digest, _entry_text))


def _header(name: str, value: str) -> bytes:
    value = " ".join(value.split())  # no line breaks can get into a header
    if value.isascii():
        return f"{name}: {value}\r\n".encode()
    return f"{name}: {encoded_words(value)}\r\n".encode()


def encoded_words(value: str, max_bytes: int = 42) -> str:
    """RFC 2047 base64 encoded-words, each under 76 characters, folded with CRLF +
    space. Words are kept whole where they fit (a space ends a chunk, never starts
    one) and a UTF-8 character is never split. (email.header does this, but slowly.)"""
    chunks: list[bytes] = []
    chunk = b""
    for word in re.findall(r"\S+\s*|\s+", value):
        encoded = word.encode("utf-8")
        if chunk and len(chunk) + len(encoded) > max_bytes:
            chunks.append(chunk)
            chunk = b""
        if len(encoded) <= max_bytes:
            chunk += encoded
            continue
        for char in word:  # a word longer than a chunk: split between characters
            piece = char.encode("utf-8")
            if len(chunk) + len(piece) > max_bytes:
                chunks.append(chunk)
                chunk = b""
            chunk += piece
    if chunk:
        chunks.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(c).decode()}?=" for c in chunks)


@lru_cache(maxsize=64)
def _from_header(value: str) -> bytes:
    """The From header; a non-ASCII display name becomes encoded words (RFC 2047), the
    address itself stays as it is."""
    name, address = parseaddr(value)
    name = " ".join(name.split())
    if not name or name.isascii():
        return f"From: {formataddr((name, address))}\r\n".encode()
    return f"From: {encoded_words(name)}\r\n <{address}>\r\n".encode()


def _qp(text: str) -> bytes:
    """Quoted-printable UTF-8 with CRLF line ends (C speed: binascii)."""
    crlf = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    return binascii.b2a_qp(crlf.encode("utf-8"), istext=True)


def render_digest_bytes(digest: Digest, settings: Settings) -> bytes:
    """The digest email as sent (RFC 5322, CRLF): multipart/alternative text + HTML,
    quoted-printable, with RFC 8058 one-click unsubscribe headers.

    Built directly rather than through ``email.message``, whose header and encoding
    machinery costs more than composing the whole digest; tests parse the result back
    with the standard library. The boundary starts with ``=_``, which quoted-printable
    content can never contain."""
    boundary = "=_pb_" + hashlib.sha256(digest.message_id.encode()).hexdigest()[:32]
    headers = b"".join(
        [
            _from_header(settings.mail_from),
            _header("To", digest.email),
            _header("Subject", digest_subject(digest)),
            _header("Date", formatdate(localtime=False)),
            _header("Message-ID", digest.message_id),
            _header("Auto-Submitted", "auto-generated"),
            _header("Precedence", "bulk"),
            _header("List-Id", f"paperboy digest <digest.{mail_domain(settings)}>"),
            _header("List-Unsubscribe", f"<{digest.unsubscribe_url}>"),
            _header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            _header("MIME-Version", "1.0"),
            _header("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
        ]
    )
    parts = []
    for subtype, body in (
        ("plain", render_digest_text(digest)),
        ("html", render_digest_html(digest)),
    ):
        parts.append(
            f"--{boundary}\r\n"
            f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n".encode()
            + _qp(body)
            + b"\r\n"
        )
    return headers + b"\r\n" + b"".join(parts) + f"--{boundary}--\r\n".encode()


def render_digest(digest: Digest, settings: Settings) -> EmailMessage:
    """The digest email as an ``EmailMessage`` (for previews and tests): exactly the
    bytes ``render_digest_bytes`` sends, parsed."""
    parsed = message_from_bytes(render_digest_bytes(digest, settings), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def render_confirmation_email(
    to: str, link: str, prefs: Preferences, settings: Settings
) -> EmailMessage:
    """The double opt-in email: nothing is sent to ``to`` until ``link`` is used."""
    context = {
        "email": to,
        "link": link,
        "schedule": schedule_phrase(prefs),
        "hours": settings.digest_confirm_hours,
        "site_url": settings.base_url.rstrip("/"),
    }
    msg = new_message(settings, to, "Confirm your paperboy digest subscription")
    msg.set_content(_text.get_template("confirm.txt").render(context), cte=_CTE)
    msg.add_alternative(
        _html.get_template("confirm.html").render(context), subtype="html", cte=_CTE
    )
    return msg


def render_manage_email(
    to: str, manage_link: str, unsubscribe_link: str, settings: Settings
) -> EmailMessage:
    """Sent when an active subscriber subscribes again: their links, nothing changed."""
    site = settings.base_url.rstrip("/")
    msg = new_message(settings, to, "Your paperboy digest subscription")
    msg.set_content(
        f"Hello,\n\n{to} is already subscribed to paperboy's digest at {site}/.\n\n"
        f"Change what you receive: {manage_link}\n"
        f"Unsubscribe: {unsubscribe_link}\n\n"
        "If you did not ask for this reminder, ignore it: nothing has changed.\n",
        cte=_CTE,
    )
    return msg
