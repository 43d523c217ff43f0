"""The topic map in a real browser (Debian's chromium): hovering a point shows its
title, clicking it opens the paper, a topic label opens a search; the page fits a phone
screen, works without JavaScript, and an axe-core scan finds no serious or critical
violation in light or dark mode."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from paperboy.config import Settings
from paperboy.maps.build import CANVAS
from paperboy.maps.drawing import MARGIN, TIP_BAND, WIDTH
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import create_app
from tests.support import served
from tests.web.test_accessibility_browser import blocking
from tests.web.test_browser import browser as browser  # fixture: chromium

pytestmark = pytest.mark.browser
MAP = "/map?period=2026-W27"


@pytest.fixture
def map_url(
    settings: Settings, loaded_store: Store, search_service: SearchService
) -> Iterator[str]:
    with served(create_app(settings, loaded_store, search_service)) as url:
        yield url


def uncovered_point(page: Page) -> Locator:
    """A point no topic label lies over (a label covers the few points beneath it)."""
    points = page.locator("a.pt")
    for index in range(points.count()):
        try:
            points.nth(index).locator("circle").hover(trial=True, timeout=300)
        except PlaywrightTimeout:
            continue
        return points.nth(index)
    raise AssertionError("every point is covered")


def test_hover_a_point_then_open_the_paper(browser: Browser, map_url: str) -> None:
    # Without JavaScript: the map needs none.
    context = browser.new_context(
        viewport={"width": 1200, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(map_url + "/")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Map").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Topic map")
        page.goto(map_url + MAP)
        point = uncovered_point(page)
        title = point.locator("title").text_content()
        assert title
        tip = point.locator(".tip")
        page.mouse.move(1, 1)  # off the map (finding the point moved the mouse onto it)
        expect(tip).to_be_hidden()
        point.locator("circle").hover()
        expect(tip).to_be_visible()  # the title, in the band above the points
        assert title.startswith((tip.text_content() or "").rstrip("…"))
        href = point.get_attribute("href")
        assert href and href.startswith("/paper/")
        point.locator("circle").click()
        page.wait_for_url(f"**{href}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(title[:40])
        page.go_back()
        label = page.locator("a.topic-label").first
        label.click()
        page.wait_for_url("**/search?q=*")
        assert page.locator(".paper-row").count() > 0
    finally:
        context.close()


def test_the_map_fits_a_phone(browser: Browser, map_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(map_url + MAP)
        svg = page.locator(".topic-map svg")
        box = svg.bounding_box()
        assert box is not None and 300 <= box["width"] <= 375
        # As tall as its points need (t-SNE pictures are rarely square), at its own
        # proportions, never squashed: the ratio follows the data, not a fixed height.
        width, height = (float(v) for v in (svg.get_attribute("viewBox") or "").split()[2:])
        assert height / width >= (CANVAS / 3 + 2 * MARGIN + TIP_BAND) / WIDTH
        assert abs(box["height"] - box["width"] * height / width) < 2
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        expect(page.locator(".map-topics table")).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_violations(browser: Browser, map_url: str, scheme: str) -> None:
    context = browser.new_context(
        viewport={"width": 1200, "height": 900},
        color_scheme=scheme,  # type: ignore[arg-type]
    )
    page = context.new_page()
    try:
        page.goto(map_url + MAP)
        expect(page.locator("a.pt").first).to_be_visible()
        assert blocking(Axe().run(page)) == []
    finally:
        context.close()
