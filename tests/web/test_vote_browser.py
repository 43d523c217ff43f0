"""Voting in a real browser (Debian's chromium, Playwright): a reader signed in by the
emailed link clicks the upvote button and the count changes without a page reload."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from paperboy.config import Settings
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import create_app
from tests.accounts.conftest import Mailbox, make_settings
from tests.accounts.conftest import mailbox as mailbox  # fixture: a real SMTP server
from tests.support import free_port, served
from tests.web.test_browser import browser as browser  # fixture: chromium
from tests.web.test_browser import page as page  # fixture: a fresh browser page

pytestmark = pytest.mark.browser
PAPER = "2606.28374"


@pytest.fixture
def live_mail_url(
    settings: Settings,
    loaded_store: Store,
    search_service: SearchService,
    mailbox: tuple[Mailbox, int],
) -> Iterator[str]:
    port = free_port()
    app_settings = make_settings(
        settings.data_dir,
        mailbox[1],
        model_dir=settings.model_dir,
        base_url=f"http://127.0.0.1:{port}",
    )
    with served(create_app(app_settings, loaded_store, search_service), port) as url:
        yield url


def sign_in_by_email(page: Page, base_url: str, mailbox: Mailbox, email: str) -> None:
    """Ask for a link, open it from the email the SMTP server received, press Sign in."""
    page.goto(base_url + "/signin")
    page.fill("#email", email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.locator("body")).to_contain_text("link is on its way")
    page.goto(mailbox.links()[-1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".account-name")).to_be_visible()


def test_upvote_updates_in_place(
    page: Page, live_mail_url: str, mailbox: tuple[Mailbox, int]
) -> None:
    sign_in_by_email(page, live_mail_url, mailbox[0], "reader@example.org")

    page.goto(live_mail_url + "/day/2026-06-30")
    row = page.locator(".paper-row", has=page.locator(f'a[href="/paper/{PAPER}"]'))
    button = row.locator(".vote-button")
    expect(button.locator(".vote-count")).to_have_text("0")
    page.evaluate("window.__notReloaded = true")
    button.click()
    expect(button.locator(".vote-count")).to_have_text("1")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__notReloaded") is True
    button.click()
    expect(button.locator(".vote-count")).to_have_text("0")
    expect(button).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.__notReloaded") is True
    page.reload()
    expect(button.locator(".vote-count")).to_have_text("0")
