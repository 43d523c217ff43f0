"""Rendering digest and confirmation emails: pure functions from data to an
``EmailMessage`` (plain text + HTML from the templates beside this module). Nothing here
reads the database or sends anything, so a digest can be previewed and tested as is.

The HTML uses tables and inline styles, the layout mail clients render alike, and no
remote images, fonts or scripts.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

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
    count = len(digest.trending) + len(digest.for_you)
    kind = "weekly" if digest.period.frequency == "weekly" else "daily"
    lead = (digest.trending or digest.for_you)[0].title if count else ""
    if len(lead) > 70:
        lead = lead[:70].rsplit(" ", 1)[0] + "…"
    papers = f"{count} paper{'' if count == 1 else 's'}"
    return (
        f"paperboy {kind}: {lead} (+{count - 1} more)"
        if count > 1
        else f"paperboy {kind}: {lead or papers}"
    )


def _sections(digest: Digest) -> list[dict[str, Any]]:
    sections = []
    if digest.trending:
        filters = filters_phrase(digest.preferences)
        sections.append(
            {
                "title": "Trending in your topics" if filters else "Trending papers",
                "note": f"Most upvoted new papers first ({filters})." if filters else "",
                "entries": digest.trending,
            }
        )
    if digest.for_you:
        sections.append(
            {
                "title": "For you",
                "note": "New papers like the ones you upvoted or saved.",
                "entries": digest.for_you,
            }
        )
    return sections


def _context(digest: Digest) -> dict[str, Any]:
    entries = digest.trending or digest.for_you
    first: DigestEntry | None = entries[0] if entries else None
    return {
        "digest": digest,
        "subject": digest_subject(digest),
        "heading": f"Your {digest.period.frequency} digest · {digest.period.label}",
        "preheader": first.title if first else "",
        "sections": _sections(digest),
        "schedule": schedule_phrase(digest.preferences),
        "site_name": digest.site_url.split("://", 1)[-1],
    }


def render_digest_html(digest: Digest) -> str:
    return _html.get_template("digest.html").render(_context(digest))


def render_digest_text(digest: Digest) -> str:
    return _text.get_template("digest.txt").render(_context(digest))


def render_digest(digest: Digest, settings: Settings) -> EmailMessage:
    """The digest email: text and HTML, with RFC 8058 one-click unsubscribe headers."""
    msg = new_message(settings, digest.email, digest_subject(digest), digest.message_id)
    msg["List-Id"] = f"paperboy digest <digest.{mail_domain(settings)}>"
    msg["List-Unsubscribe"] = f"<{digest.unsubscribe_url}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Precedence"] = "bulk"
    msg.set_content(render_digest_text(digest), cte=_CTE)
    msg.add_alternative(render_digest_html(digest), subtype="html", cte=_CTE)
    return msg


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
