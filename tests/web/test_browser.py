"""The web UI in a real browser: Debian's chromium driven by Playwright, against the
app served by uvicorn on localhost."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from paperboy.config import Settings
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import create_app
from tests.support import served

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_url(
    settings: Settings, loaded_store: Store, search_service: SearchService
) -> Iterator[str]:
    with served(create_app(settings, loaded_store, search_service)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()
    assert dialogs == [], f"a script ran: {dialogs}"


def test_browse_days_filter_and_open_a_paper(page: Page, live_url: str) -> None:
    page.goto(live_url + "/")
    expect(page.locator("h1")).to_have_text("Tuesday, 30 June 2026")
    expect(page.locator(".paper-row")).to_have_count(13)
    page.get_by_role("link", name="← Mon 29 Jun").click()
    expect(page.locator("h1")).to_have_text("Monday, 29 June 2026")
    page.get_by_role("link", name="Week", exact=True).click()
    expect(page.locator("h1")).to_have_text("Week of 29 June 2026")
    page.locator(".cat-filter a", has_text="cs.IT").click()
    rows = page.locator(".paper-row")
    assert rows.count() > 0
    for i in range(rows.count()):
        expect(rows.nth(i).locator(".paper-meta")).to_contain_text("cs.IT")
    title = rows.first.locator(".paper-title a")
    name = title.inner_text()
    title.click()
    expect(page.locator("article h1")).to_have_text(name)
    expect(page.get_by_role("link", name="arXiv abstract")).to_have_attribute(
        "href", page.url.replace(live_url + "/paper/", "https://arxiv.org/abs/")
    )


def test_script_in_a_title_shows_as_text(page: Page, live_url: str) -> None:
    page.goto(live_url + "/paper/2606.99901")
    expect(page.locator("article h1")).to_contain_text("<script>alert('title')</script>")
    expect(page.locator(".authors")).to_contain_text("Ada <i>Lovelace</i>")
    page.goto(live_url + "/day/2026-06-30")
    page.locator(".paper-row", has_text="Attention").locator("summary").click()
    expect(page.locator(".paper-row", has_text="Attention")).to_contain_text("<img src=x")


def test_phone_layout_has_no_sideways_scroll(browser: Browser, live_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    for path in ("/", "/paper/2606.99901", "/month/2026-06"):
        page.goto(live_url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    context.close()


def test_search_box_finds_papers(page: Page, live_url: str) -> None:
    page.goto(live_url + "/")
    box = page.get_by_role("searchbox", name="Search papers")
    box.fill("erasure codes for reading symbols")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=erasure\+codes"))
    results = page.locator(".result")
    expect(results.first).to_be_visible()
    assert results.count() >= 3
    expect(
        page.locator(".result .paper-title a", has_text="Deletion-Correcting Codes")
    ).to_be_visible()
    expect(page.locator(".result mark").first).to_be_visible()
    page.get_by_label("Mode").select_option("lexical")
    page.get_by_role("button", name="Search", exact=True).last.click()
    expect(page).to_have_url(re.compile(r"mode=lexical"))
    page.locator(".result .paper-title a").first.click()
    expect(page.locator(".similar li").first).to_be_visible()


def test_api_docs_render_offline(page: Page, live_url: str) -> None:
    page.goto(live_url + "/api/docs")
    expect(page.locator(".opblock-summary-path", has_text="/api/search").first).to_be_visible()
