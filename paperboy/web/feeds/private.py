"""The private "for you" feed: a reader's recommendations as RSS/Atom, behind a secret URL.

Feed readers cannot sign in, so the address itself is the credential: a token of kind
'feed' (paperboy/store/tokens.py; only its SHA-256 is stored). The reader creates one on
the profile page, where the full address is shown once, and revokes it there; a revoked
or unknown token is a plain 404, the same answer as for an address that never existed.

    GET  /feeds/for-you/{token}.rss|.atom   the feed
    POST /profile/feeds                     create a feed address (shows it once)
    POST /profile/feeds/{token_id}/revoke   revoke one
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from paperboy.accounts import FEED_ADDRESS, create_personal_token, revoke_personal_token
from paperboy.config import Settings
from paperboy.errors import NotFound
from paperboy.rank.foryou import recommend_for_reader
from paperboy.store import Store, StoredUser
from paperboy.web.deps import CurrentReader, SearchDep, SettingsDep, StoreDep
from paperboy.web.feeds.render import (
    FORMATS,
    feed_meta,
    feed_response,
    feed_urls,
    paper_entry,
    route,
)
from paperboy.web.personal_tokens import shown_once
from paperboy.web.rendering import render

router = APIRouter(include_in_schema=False)
MAX_TOKEN_CHARS = 100  # token_urlsafe(32) is 43 characters


def private_feed_id(settings: Settings, user_id: int) -> str:
    """A stable Atom id for a reader's feed that reveals neither the account's id nor the
    token (so revoking and creating a new address keeps readers' history)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.base_url.rstrip('/')}/for-you/{user_id}").urn


def feed_owner(store: Store, token: str) -> StoredUser:
    """The reader whose private feed address ``token`` is (404 for any other token)."""
    too_long = len(token) > MAX_TOKEN_CHARS
    user = None if too_long else store.tokens.user_for_token(FEED_ADDRESS.kind, token)
    if user is None:
        raise NotFound("no such feed: the address is wrong or was revoked")
    return user


def for_you_feed(
    request: Request, token: str, store: StoreDep, search: SearchDep, settings: SettingsDep
) -> Response:
    user = feed_owner(store, token)
    recommendations = recommend_for_reader(
        store,
        search,
        user.id,
        limit=settings.foryou_limit,
        window_days=settings.foryou_window_days,
    )
    meta = feed_meta(
        settings,
        f"/feeds/for-you/{token}",
        {},
        title=f"paperboy: for you, {user.display_name}",
        description="Recent papers picked for you from what you saved and upvoted. This "
        "address is private: anyone who has it can read the feed, so revoke it on your "
        "profile if it leaks.",
        page="/for-you",
        feed_id=private_feed_id(settings, user.id),
    )
    entries = [paper_entry(settings, r.paper, r.reason) for r in recommendations]
    return feed_response(request, meta, entries, private=True)


route(router, "/feeds/for-you/{token}", for_you_feed)


@router.post("/profile/feeds", response_model=None)
def create_private_feed(
    request: Request,
    user: CurrentReader,
    store: StoreDep,
    settings: SettingsDep,
    name: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    row, token = create_personal_token(store, user, FEED_ADDRESS, name)
    _, rss_url, atom_url = feed_urls(settings, f"/feeds/for-you/{token}", {})
    response = render(
        request,
        "private_feed_created.html",
        {"token_row": row, "urls": dict(zip(FORMATS, (rss_url, atom_url), strict=True))},
    )
    return shown_once(response)


@router.post("/profile/feeds/{token_id}/revoke", response_model=None)
def revoke_private_feed(token_id: int, user: CurrentReader, store: StoreDep) -> Response:
    # Only feed addresses here: API tokens are revoked in their own section.
    revoke_personal_token(store, user, FEED_ADDRESS, token_id)
    return RedirectResponse("/profile?feed_revoked=1#private-feed", status_code=303)
