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

from paperboy.config import Settings
from paperboy.errors import Conflict, NotFound
from paperboy.rank.foryou import recommend_for_reader
from paperboy.store import Store
from paperboy.store.tokens import StoredToken
from paperboy.web.auth import CurrentUser, get_current_user
from paperboy.web.deps import SearchDep, SettingsDep, StoreDep
from paperboy.web.feeds import FORMATS, feed_meta, feed_response, feed_urls, paper_entry, route
from paperboy.web.rendering import env, render

router = APIRouter(include_in_schema=False)
FEED_KIND = "feed"
MAX_FEED_TOKENS = 20  # live addresses per reader: one per feed reader is plenty
MAX_TOKEN_CHARS = 100  # token_urlsafe(32) is 43 characters
DEFAULT_NAME = "Feed reader"
SIGN_IN = "/signin?next=/profile"


def _private_feeds_of(request: Request) -> list[StoredToken]:
    """The signed-in reader's live feed addresses, for the profile section
    (``_private_feed.html``), so the shared profile view needs no change."""
    user = get_current_user(request)
    if user is None:
        return []
    store: Store = request.app.state.store
    return store.list_tokens(user.id, FEED_KIND)


env.globals["private_feeds_of"] = _private_feeds_of


def private_feed_id(settings: Settings, user_id: int) -> str:
    """A stable Atom id for a reader's feed that reveals neither the account's id nor the
    token (so revoking and creating a new address keeps readers' history)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.base_url.rstrip('/')}/for-you/{user_id}").urn


def for_you_feed(
    request: Request, token: str, store: StoreDep, search: SearchDep, settings: SettingsDep
) -> Response:
    user = store.user_for_token(FEED_KIND, token) if len(token) <= MAX_TOKEN_CHARS else None
    if user is None:
        raise NotFound("no such feed: the address is wrong or was revoked")
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
    user: CurrentUser,
    store: StoreDep,
    settings: SettingsDep,
    name: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    if user is None:
        return RedirectResponse(SIGN_IN, status_code=303)
    if len(store.list_tokens(user.id, FEED_KIND)) >= MAX_FEED_TOKENS:
        raise Conflict(
            f"you already have {MAX_FEED_TOKENS} private feed addresses: revoke one first"
        )
    label = " ".join(name.split())[:100] or DEFAULT_NAME
    row, token = store.create_token(user.id, FEED_KIND, label)
    _, rss_url, atom_url = feed_urls(settings, f"/feeds/for-you/{token}", {})
    response = render(
        request,
        "private_feed_created.html",
        {"token_row": row, "urls": dict(zip(FORMATS, (rss_url, atom_url), strict=True))},
    )
    # The page holds the secret address: no cache, no history snapshot.
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/profile/feeds/{token_id}/revoke", response_model=None)
def revoke_private_feed(token_id: int, user: CurrentUser, store: StoreDep) -> Response:
    if user is None:
        return RedirectResponse(SIGN_IN, status_code=303)
    # Only feed addresses here: API tokens are revoked in their own section.
    mine = {t.id for t in store.list_tokens(user.id, FEED_KIND)}
    if token_id not in mine or not store.revoke_token(user.id, token_id):
        raise NotFound("no such private feed address")
    return RedirectResponse("/profile?feed_revoked=1#private-feed", status_code=303)
