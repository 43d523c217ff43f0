"""Building feed answers: entries of papers, the feed's metadata and links, the
RSS/Atom response with ETag, Last-Modified and 304s. Shared by the public and private
feeds."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from typing import Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from paperboy.config import Settings
from paperboy.feed.tldr import tldrs_for
from paperboy.library.citation import official_code_urls
from paperboy.store import Store, StoredPaper
from paperboy.store.tldr import PaperTldr
from paperboy.web.feeds.xml import (
    ATOM_TYPE,
    RSS_TYPE,
    FeedEntry,
    FeedMeta,
    atom_document,
    feed_updated,
    rfc822,
    rss_document,
)

FeedFormat = Literal["rss", "atom"]
FORMATS: tuple[FeedFormat, ...] = ("rss", "atom")
MEDIA_TYPES = {"rss": f"{RSS_TYPE}; charset=utf-8", "atom": f"{ATOM_TYPE}; charset=utf-8"}
# Readers poll; five minutes of caching is far below how often arXiv announces.
PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, max-age=300"
EARLIEST_DAY = date(1991, 1, 1)  # arXiv started in August 1991
EPOCH = datetime(1991, 8, 14, tzinfo=UTC)  # an empty feed's "updated"


def _base(settings: Settings) -> str:
    return settings.base_url.rstrip("/")


def paper_url(settings: Settings, paper: StoredPaper) -> str:
    return f"{_base(settings)}/paper/{quote(paper.arxiv_id, safe='/')}"


def _announced_at(paper: StoredPaper) -> datetime:
    """When the paper appeared: midnight UTC of its announcement day (when it was first
    seen if it has none)."""
    if paper.announced is not None:
        return datetime.combine(paper.announced, time(), tzinfo=UTC)
    seen = paper.first_seen
    return seen.replace(tzinfo=UTC) if seen.tzinfo is None else seen


def paper_entry(
    settings: Settings,
    paper: StoredPaper,
    note: str | None = None,
    code_url: str | None = None,
    tldr: PaperTldr | None = None,
) -> FeedEntry:
    """A paper as a feed entry; ``note`` (e.g. why it is recommended) leads the summary,
    then the TL;DR line (HF's summary labelled as theirs), then the abstract."""
    published = _announced_at(paper)
    revised = paper.updated.replace(tzinfo=UTC) if paper.updated else None
    url = paper_url(settings, paper)
    line = None
    # No TL;DR line when it would repeat the whole abstract (a one-sentence abstract).
    if tldr is not None and tldr.text != " ".join((paper.abstract or "").split()):
        line = f"{'Summary by Hugging Face' if tldr.by_hf else 'TL;DR'}: {tldr.text}"
    summary = "\n\n".join(part for part in (note, line, paper.abstract) if part) or None
    return FeedEntry(
        id=url,
        title=paper.title,
        link=url,
        updated=max(published, revised) if revised else published,
        published=published,
        summary=summary,
        authors=paper.authors,
        categories=paper.categories,
        code_url=code_url,
    )


def paper_entries(
    settings: Settings, store: Store, papers: Sequence[StoredPaper]
) -> list[FeedEntry]:
    """Entries for papers, each with its official code link when it has one."""
    code = official_code_urls(store, list(papers))
    tldrs = tldrs_for(store, papers)
    return [paper_entry(settings, p, code_url=code.get(p.id), tldr=tldrs.get(p.id)) for p in papers]


def feed_urls(settings: Settings, path: str, query: dict[str, str]) -> tuple[str, str, str]:
    """The feed's identity (format-free) and its RSS and Atom URLs."""
    qs = f"?{urlencode(query)}" if query else ""
    base = f"{_base(settings)}{path}"
    return f"{base}{qs}", f"{base}.rss{qs}", f"{base}.atom{qs}"


def feed_meta(
    settings: Settings,
    path: str,
    query: dict[str, str],
    *,
    title: str,
    description: str,
    page: str,
    updated: datetime = EPOCH,
    feed_id: str | None = None,
) -> FeedMeta:
    identity, rss_url, atom_url = feed_urls(settings, path, query)
    return FeedMeta(
        id=feed_id or identity,
        title=title,
        description=description,
        page_url=f"{_base(settings)}{page}",
        rss_url=rss_url,
        atom_url=atom_url,
        updated=updated,
        author_uri=f"{_base(settings)}/",
    )


def _format(request: Request) -> FeedFormat:
    """Routes exist only for the two extensions, so the path says which was asked for."""
    return "atom" if request.url.path.endswith(".atom") else "rss"


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    wanted = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in wanted or etag in wanted


def feed_response(
    request: Request,
    meta: FeedMeta,
    entries: Sequence[FeedEntry],
    *,
    private: bool = False,
) -> Response:
    """The document in the format the path asks for, with an ETag (304 when the reader
    already has this exact document)."""
    fmt = _format(request)
    body = rss_document(meta, entries) if fmt == "rss" else atom_document(meta, entries)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {
        "ETag": etag,
        "Last-Modified": rfc822(feed_updated(meta, entries)),
        "Cache-Control": PRIVATE_CACHE if private else PUBLIC_CACHE,
    }
    if private:
        headers["X-Robots-Tag"] = "noindex"
    if _etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)


def route(on: APIRouter, path: str, endpoint: Callable[..., Response]) -> None:
    """The same handler at ``path.rss`` and ``path.atom``."""
    for fmt in FORMATS:
        on.add_api_route(f"{path}.{fmt}", endpoint, methods=["GET", "HEAD"])


# -- public feeds ------------------------------------------------------------------------
