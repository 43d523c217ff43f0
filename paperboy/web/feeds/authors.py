"""``/feeds/author/{name}.rss|.atom``: the newest papers under a name, as on its page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from paperboy.feed.authors import author_page, author_path
from paperboy.web.deps import SettingsDep, StoreDep
from paperboy.web.feeds.render import feed_meta, feed_response, paper_entries, route

router = APIRouter(include_in_schema=False)


def author_feed(request: Request, name: str, store: StoreDep, settings: SettingsDep) -> Response:
    view = author_page(store, name, per_page=settings.page_size)
    path = author_path(view.asked)
    meta = feed_meta(
        settings,
        "/feeds" + path,
        {},
        title=f"paperboy: papers by {view.title}",
        description=f"The newest papers whose authors include a name matching {view.title} "
        "(a name, not a person).",
        page=path,
    )
    return feed_response(request, meta, paper_entries(settings, store, view.papers))


route(router, "/feeds/author/{name}", author_feed)
