"""The signed-in header in a real browser (Debian's chromium, Playwright): one row at
1280 px wide, the paper rows' vote and save controls beside the paper, and a usable
header on a 375 px phone. Screenshots go to the test's folder (and to
``PAPERBOY_SCREENSHOTS``, if set, for a person to look at)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.accounts.conftest import Mailbox
from tests.accounts.conftest import mailbox as mailbox  # fixture: a real SMTP server
from tests.web.test_browser import browser as browser  # fixture: chromium
from tests.web.test_vote_browser import live_mail_url as live_mail_url  # fixture: the site
from tests.web.test_vote_browser import sign_in_by_email

pytestmark = pytest.mark.browser
NAME = "Ada Lovelace-Byron"  # a realistic display name, longer than the address's part


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not visible"
    return dict(found)


def boxes(page: Page, selector: str) -> list[dict[str, Any]]:
    return [b for b in (loc.bounding_box() for loc in page.locator(selector).all()) if b]


def shot(page: Page, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / name), full_page=False)
    folder = os.environ.get("PAPERBOY_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=False)


def signed_in_page(
    browser: Browser, url: str, box_: Mailbox, width: int, height: int
) -> tuple[Any, Page]:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    sign_in_by_email(page, url, box_, "ada@example.org")
    page.goto(url + "/profile")
    page.fill("#display_name", NAME)
    page.get_by_role("button", name="Save").click()
    page.goto(url + "/day/2026-06-30")
    return context, page


def test_signed_in_header_is_one_row_at_1280(
    browser: Browser, live_mail_url: str, mailbox: tuple[Mailbox, int], tmp_path: Path
) -> None:
    context, page = signed_in_page(browser, live_mail_url, mailbox[0], 1280, 800)
    try:
        shot(page, tmp_path, "header-1280.png")
        header = box(page, ".header-row")
        brand = box(page, ".brand")
        # One row: everything in the header sits beside the brand, not below it.
        for selector in (".main-nav a", ".search-box", ".account-nav a", ".account-nav button"):
            for item in boxes(page, selector):
                assert item["y"] < brand["y"] + brand["height"], (selector, item, brand)
        assert header["height"] < 3 * brand["height"], header
        # The vote and save controls stay on the line of their paper's id and categories
        # (before: a <form> inside <p class="paper-meta"> closed the paragraph, so the
        # controls of a signed-in reader fell onto a line of their own).
        row = page.locator(".paper-row").first
        paper_id = row.locator(".arxiv-id").bounding_box()
        assert paper_id is not None
        for control in (".vote-button", ".save-control summary", ".pdf"):
            found = row.locator(control).bounding_box()
            assert found is not None, control
            middle = found["y"] + found["height"] / 2
            assert paper_id["y"] <= middle <= paper_id["y"] + paper_id["height"], control
    finally:
        context.close()


def test_signed_in_header_fits_a_phone(
    browser: Browser, live_mail_url: str, mailbox: tuple[Mailbox, int], tmp_path: Path
) -> None:
    context, page = signed_in_page(browser, live_mail_url, mailbox[0], 375, 740)
    try:
        shot(page, tmp_path, "header-375.png")
        # Nothing sticks out sideways (no horizontal scrolling on a phone) ...
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, width
        # ... every header control is on screen and big enough to tap ...
        for selector in (".main-nav a", ".account-nav a", ".account-nav button", ".search-box"):
            for item in boxes(page, selector):
                assert item["x"] >= 0 and item["x"] + item["width"] <= 375, (selector, item)
                assert item["height"] >= 20, (selector, item)
        # ... the account is on the brand's row ...
        brand, name = box(page, ".brand"), box(page, ".account-name")
        assert abs((brand["y"] + brand["height"] / 2) - (name["y"] + name["height"] / 2)) < 8
        # ... and the header leaves most of the first screen to the papers.
        assert box(page, ".site-header")["height"] < 740 / 4
    finally:
        context.close()


STYLE = "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).borderRadius]"


def test_profile_buttons_look_alike(
    browser: Browser, live_mail_url: str, mailbox: tuple[Mailbox, int], tmp_path: Path
) -> None:
    context, page = signed_in_page(browser, live_mail_url, mailbox[0], 1280, 1400)
    try:
        page.goto(live_mail_url + "/profile")
        shot(page, tmp_path, "profile-1280.png")
        save = page.get_by_role("button", name="Save").evaluate(STYLE)
        # Before: the Subscribe button was the browser's default grey button.
        for name in ("Subscribe ada@example.org", "Sign out everywhere else"):
            assert page.get_by_role("button", name=name).evaluate(STYLE) == save, name
    finally:
        context.close()
