"""``/feeds/following/{token}.rss|.atom``: the private Following feed. The address is the
credential, a token of kind 'feed' exactly as the For-you feed's (only its SHA-256 is
stored; revoked on the profile page; an unknown token is a plain 404)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from paperboy.feed.following import following_feed
from paperboy.web.deps import SearchDep, SettingsDep, StoreDep
from paperboy.web.feeds.private import feed_owner
from paperboy.web.feeds.render import feed_meta, feed_response, paper_entry, route

router = APIRouter(include_in_schema=False)


def following_feed_xml(
    request: Request, token: str, store: StoreDep, search: SearchDep, settings: SettingsDep
) -> Response:
    user = feed_owner(store, token)
    feed = following_feed(
        store, search, user.id, window_days=settings.following_window_days, per_page=100
    )
    base = settings.base_url.rstrip("/")
    meta = feed_meta(
        settings,
        f"/feeds/following/{token}",
        {},
        title=f"paperboy: following, {user.display_name}",
        description="New papers by the authors, in the categories and matching the searches "
        "you follow. This address is private: revoke it on your profile if it leaks.",
        page="/following",
        feed_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/following/{user.id}").urn,
    )
    entries = [paper_entry(settings, f.paper, "; ".join(f.reasons)) for f in feed.papers]
    return feed_response(request, meta, entries, private=True)


route(router, "/feeds/following/{token}", following_feed_xml)
