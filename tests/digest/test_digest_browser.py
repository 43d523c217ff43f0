"""The digest email in a real browser (Debian's chromium): it loads nothing from the
network, fits a phone and a desktop window, and shows every paper. With
PAPERBOY_SCREENSHOTS=1 it refreshes docs/screenshots/digest.png."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Request

from paperboy.config import Settings
from paperboy.digest import Composer, render_digest
from paperboy.digest.outbox import digest_message_id
from paperboy.digest.periods import period_from_key
from paperboy.search.service import SearchService
from paperboy.store import Store
from tests.digest.conftest import DUE, subscribe
from tests.support import ROOT
from tests.web.test_browser import browser as browser  # the fixture

pytestmark = pytest.mark.browser


def test_digest_html_renders_offline_on_phone_and_desktop(
    browser: Browser,
    settings: Settings,
    loaded_store: Store,
    search_service: SearchService,
) -> None:
    store = loaded_store
    reader = store.accounts.create_user("reader@example.org")
    day = store.papers.feed(date(2026, 6, 30), date(2026, 6, 30), limit=50).papers
    day = [p for p in day if "<" not in p.title]  # the fixtures' XSS probe: not for the docs
    for n, paper in enumerate(day[:6]):
        for i in range(6 - n):
            voter = store.accounts.create_user(f"v{n}-{i}@example.org")
            store.votes.add_vote(voter.id, paper.id, DUE - timedelta(hours=3 + i))
    earlier = store.papers.feed(date(2026, 6, 26), date(2026, 6, 26), limit=50).papers
    store.votes.add_vote(reader.id, earlier[0].id, DUE - timedelta(days=3))
    sub = subscribe(
        store,
        reader.email,
        user_id=reader.id,
        max_papers=5,
        categories="cs.AI, cs.LG, cs.CV, cs.CL, cs.CE, cs.IT",
    )
    period = period_from_key("2026-06-30")
    digest = Composer(store, settings, DUE).compose(
        sub, period, digest_message_id(settings, sub.id, period.key)
    )
    assert digest.trending and digest.for_you
    html = render_digest(digest, settings).get_body(("html",)).get_content()  # type: ignore[union-attr]
    for width, height in ((1000, 1400), (375, 800)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        requests: list[str] = []

        def refuse(request: Request, seen: list[str] = requests) -> None:
            seen.append(request.url)

        page.on("request", refuse)
        page.set_content(html, wait_until="load")
        assert requests == [], f"the digest fetched {requests}"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{overflow}px wider than a {width}px window"
        titles = page.locator("a[style*='font-weight:600']")
        assert titles.count() == len(digest.trending) + len(digest.for_you)
        assert page.get_by_text("Unsubscribe").is_visible()
        assert page.get_by_text("For you").is_visible()
        if os.environ.get("PAPERBOY_SCREENSHOTS") and width == 1000:
            page.screenshot(path=str(ROOT / "docs" / "screenshots" / "digest.png"), full_page=True)
        context.close()
