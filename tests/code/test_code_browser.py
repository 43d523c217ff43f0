"""The code card and the listing badge in a real browser (Debian's chromium), on a phone
and a desktop: visible, linked, and the row's badge stays on one line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from playwright.sync_api import Browser, expect

from paperboy.arxiv import PaperRecord
from paperboy.config import Settings
from paperboy.store import Store
from paperboy.web import create_app
from tests.support import served
from tests.web.test_browser import browser  # noqa: F401  (the shared chromium fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def code_url(settings: Settings, sqlite_store: Store) -> Iterator[str]:
    sqlite_store.papers.upsert_papers(
        [
            PaperRecord(
                arxiv_id="2606.00001",
                title="A paper whose code has a rather long repository name to test wrapping",
                abstract="Our code is available at "
                "https://github.com/some-organisation/a-rather-long-repository-name.",
                comment="Project page: https://me.github.io/ours/",
                authors=["A. Author", "B. Author"],
                categories=["cs.LG", "cs.CV", "stat.ML"],
                announced=date(2026, 6, 30),
            )
        ]
    )
    store = sqlite_store
    store.code.add_snapshot(
        "some-organisation/a-rather-long-repository-name", date(2026, 6, 23), 900
    )
    store.code.record_repo(
        "some-organisation/a-rather-long-repository-name",
        full_name="some-organisation/a-rather-long-repository-name",
        stars=12345,
        pushed_at=datetime(2026, 6, 29, 12, 0),
        archived=False,
        description="The official implementation.",
        license="Apache-2.0",
        etag='"x"',
        now=datetime(2026, 6, 30, 8, 0),
    )
    with served(create_app(settings, sqlite_store)) as url:
        yield url


@pytest.mark.parametrize("viewport", [(390, 844), (1200, 900)], ids=["phone", "desktop"])
def test_code_card_and_badge(
    browser: Browser,  # noqa: F811
    code_url: str,
    viewport: tuple[int, int],
) -> None:
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    try:
        page.goto(code_url + "/day/2026-06-30")
        badge = page.locator(".paper-row .code-badge")
        expect(badge).to_have_text("code ★12k")
        expect(badge).to_have_attribute(
            "href", "https://github.com/some-organisation/a-rather-long-repository-name"
        )
        box = badge.bounding_box()
        line = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.code-badge')).lineHeight)"
        )
        assert box is not None and box["height"] < 1.5 * line  # one line, never wrapped
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        page.locator(".paper-title a").click()
        card = page.get_by_role("region", name="Code")
        expect(card).to_be_visible()
        expect(card.get_by_role("link", name="some-organisation/a-rather-long-repository-name"))
        expect(card).to_contain_text("12,345 stars")
        expect(card).to_contain_text("+11,445 this week")
        expect(card).to_contain_text("last push 29 Jun 2026")
        expect(card).to_contain_text("licence Apache-2.0")
        expect(card.get_by_role("link", name="me.github.io/ours")).to_have_attribute(
            "href", "https://me.github.io/ours"
        )
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
