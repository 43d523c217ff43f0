"""Everything templates use besides their context: filters and global functions,
registered in this one place by ``create_app`` (no module adds to the environment as a
side effect of being imported)."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from jinja2 import Environment
from markupsafe import Markup

from paperboy import __version__
from paperboy.accounts import API_TOKEN, FEED_ADDRESS
from paperboy.community.counts import upvote_sources
from paperboy.feed.authors import author_path
from paperboy.web.pages.following import reader_follows
from paperboy.web.pages.library import reader_collections, reader_entry
from paperboy.web.pages.subscribe import digest_subscription_of
from paperboy.web.personal_tokens import tokens_lister
from paperboy.web.sparkline import sparkline_svg


def _fmt_date(value: date | datetime | None, fmt: str = "%d %b %Y") -> str:
    return value.strftime(fmt) if value else ""


def _authors_short(authors: list[str], limit: int = 6) -> str:
    if len(authors) <= limit:
        return ", ".join(authors)
    return ", ".join(authors[:limit]) + f" and {len(authors) - limit} more"


def _author_links(authors: list[str], limit: int = 6) -> Markup:
    """Author names, each linked to its page (escaped), "and N more" past ``limit``."""
    shown = [
        Markup('<a class="author" href="{}">{}</a>').format(author_path(a), a)
        for a in authors[:limit]
    ]
    more = f" and {len(authors) - limit} more" if len(authors) > limit else ""
    return Markup(", ").join(shown) + more


def _paragraphs(text: str | None) -> list[str]:
    return [p for p in (text or "").split("\n\n") if p.strip()]


def _query(state: dict[str, object], **changes: object) -> str:
    """A listing's query string ("?cat=cs.CL&has_code=1", or "") from its filter state
    with some values changed; None, False and "" leave a parameter out."""
    merged = {**state, **changes}
    kept = {
        k: ("1" if v is True else str(v)) for k, v in merged.items() if v not in (None, False, "")
    }
    return f"?{urlencode(kept)}" if kept else ""


def register_template_globals(env: Environment) -> None:
    """Install the filters and globals into ``env`` (idempotent)."""
    env.filters["fmt_date"] = _fmt_date
    env.filters["authors_short"] = _authors_short
    env.filters["author_links"] = _author_links  # names linked to /author/{name}
    env.filters["author_url"] = author_path
    env.filters["paragraphs"] = _paragraphs
    env.filters["sparkline"] = sparkline_svg  # a VoteView trend as an inline SVG
    env.globals["version"] = __version__
    env.globals["query"] = _query  # listing links that keep the other filters
    env.globals["upvote_sources"] = upvote_sources  # "HF 55 · here 2"
    env.globals["api_tokens_of"] = tokens_lister(API_TOKEN)  # profile: API tokens
    env.globals["private_feeds_of"] = tokens_lister(FEED_ADDRESS)  # profile: feeds
    env.globals["reader_collections"] = reader_collections  # save forms
    env.globals["reader_entry"] = reader_entry  # paper page: note, collections
    env.globals["is_following"] = reader_follows  # Follow buttons
    env.globals["digest_subscription_of"] = digest_subscription_of  # profile, footer
