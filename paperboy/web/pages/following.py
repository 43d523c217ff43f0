"""``/following`` (new papers from the authors, categories and searches a reader follows,
each with its reason), the Follow/Unfollow forms, JSON export and import, and the
private Following feed address (paperboy.feed.following)."""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import quote, urlencode
from xml.sax.saxutils import quoteattr

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from paperboy.accounts import FEED_ADDRESS, create_personal_token
from paperboy.accounts.service import DEFAULT_AFTER_SIGN_IN, safe_next
from paperboy.community.votes import vote_view
from paperboy.errors import InvalidInput
from paperboy.feed.authors import author_path
from paperboy.feed.following import (
    MAX_IMPORT_BYTES,
    export_follows,
    follow,
    follow_key,
    following_feed,
    import_follows,
    unfollow,
)
from paperboy.store import Store
from paperboy.web.auth import CurrentUser, get_current_user
from paperboy.web.deps import CurrentReader, SearchDep, SettingsDep, StoreDep
from paperboy.web.feeds.render import FORMATS, feed_urls
from paperboy.web.personal_tokens import shown_once
from paperboy.web.rendering import render

PAGE = "/following"
router = APIRouter(include_in_schema=False)
Kind = Annotated[str, Form(max_length=16)]
Value = Annotated[str, Form(max_length=1000)]
Next = Annotated[str, Form(max_length=2000)]


@router.get(PAGE, response_class=HTMLResponse)
def following_page(
    request: Request,
    store: StoreDep,
    search: SearchDep,
    settings: SettingsDep,
    user: CurrentReader,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    imported: Annotated[int | None, Query(ge=0)] = None,
    already: Annotated[int | None, Query(ge=0)] = None,
    refused: Annotated[int | None, Query(ge=0)] = None,
) -> HTMLResponse:
    feed = following_feed(
        store, search, user.id, window_days=settings.following_window_days, page=page
    )
    return render(
        request,
        "following.html",
        {
            "feed": feed,
            "reasons": {f.paper.id: f.reasons for f in feed.papers},
            "votes": vote_view(store, user, [f.paper for f in feed.papers]),
            "limit": settings.following_max,
            "imported": (imported, already, refused) if imported is not None else None,
        },
    )


def reader_follows(request: Request, kind: str, value: str) -> bool:
    """Whether the signed-in reader follows this (False when signed out), for the Follow
    buttons; the reader's follows are read once per request."""
    user = get_current_user(request)
    if user is None:
        return False
    cached = getattr(request.state, "follows", None)
    if not isinstance(cached, set):
        store: Store = request.app.state.store
        cached = {(f.kind, f.key) for f in store.follows.follows_of(user.id)}
        request.state.follows = cached
    try:
        return follow_key(kind, value)[:2] in cached
    except InvalidInput:
        return False


def _back(next_path: str) -> str:
    back = safe_next(next_path) if next_path else PAGE
    return PAGE if back == DEFAULT_AFTER_SIGN_IN and next_path != back else back


@router.post(PAGE + "/follow", response_model=None)
def follow_form(
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentUser,
    kind: Kind,
    value: Value,
    next: Next = "",
) -> Response:
    """Follow, then go back to the local ``next`` (signed out: sign in first)."""
    back = _back(next)
    if user is None:
        return RedirectResponse("/signin?" + urlencode({"next": back}), status_code=303)
    follow(store, user.id, kind, value, settings.following_max)
    return RedirectResponse(back, status_code=303)


@router.post(PAGE + "/unfollow", response_model=None)
def unfollow_form(
    store: StoreDep, user: CurrentReader, kind: Kind, value: Value, next: Next = ""
) -> Response:
    unfollow(store, user.id, kind, value)
    return RedirectResponse(_back(next), status_code=303)


@router.get(PAGE + "/export.json", response_model=None)
def export_json(store: StoreDep, user: CurrentReader) -> Response:
    body = json.dumps(export_follows(store, user.id), ensure_ascii=False, indent=1)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="paperboy-following.json"'},
    )


def _feed_path(kind: str, value: str) -> str:
    """The public Atom feed of one follow."""
    if kind == "author":
        return "/feeds" + author_path(value) + ".atom"
    if kind == "category":
        return f"/feeds/category/{quote(value, safe='')}.atom"
    return "/feeds/search.atom?" + urlencode({"q": value})


@router.get(PAGE + "/export.opml", response_model=None)
def export_opml(store: StoreDep, settings: SettingsDep, user: CurrentReader) -> Response:
    """What the reader follows as an OPML subscription list of public Atom feeds (one per
    author, category and search), for a feed reader."""
    base = settings.base_url.rstrip("/")
    outlines = "".join(
        '\n    <outline type="rss" text={} xmlUrl={}/>'.format(
            quoteattr(f"{f['kind']}: {f['value']}"),
            quoteattr(base + _feed_path(f["kind"], f["value"])),
        )
        for f in export_follows(store, user.id)["follows"]
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0">\n'
        "  <head><title>paperboy: what I follow</title></head>\n"
        f"  <body>{outlines}\n  </body>\n</opml>\n"
    )
    return Response(
        body.encode(),
        media_type="text/x-opml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="paperboy-following.opml"'},
    )


@router.post(PAGE + "/import", response_model=None)
def import_json(
    store: StoreDep, settings: SettingsDep, user: CurrentReader, file: UploadFile
) -> Response:
    report = import_follows(
        store, user.id, file.file.read(MAX_IMPORT_BYTES + 1), settings.following_max
    )
    query = {"imported": report.added, "already": report.already, "refused": len(report.refused)}
    return RedirectResponse(f"{PAGE}?{urlencode(query)}", status_code=303)


@router.post(PAGE + "/feed", response_model=None)
def create_following_feed(
    request: Request, user: CurrentReader, store: StoreDep, settings: SettingsDep
) -> Response:
    """A new private feed address (a token of kind 'feed', like For you's), shown once."""
    row, token = create_personal_token(store, user, FEED_ADDRESS, "Following feed")
    _, rss_url, atom_url = feed_urls(settings, f"/feeds/following/{token}", {})
    response = render(
        request,
        "following_feed_created.html",
        {"token_row": row, "urls": dict(zip(FORMATS, (rss_url, atom_url), strict=True))},
    )
    return shown_once(response)
