"""The library in a real browser (Debian's chromium, Playwright): a reader signed in by
the emailed link saves a paper into a new collection from the paper page, without
JavaScript doing the work (the Save control is a disclosure with a plain form), and
finds it on /library under that collection."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.accounts.conftest import Mailbox
from tests.accounts.conftest import mailbox as mailbox  # fixture: a real SMTP server
from tests.web.test_browser import browser as browser  # fixture: chromium
from tests.web.test_browser import page as page  # fixture: a fresh browser page
from tests.web.test_vote_browser import live_mail_url as live_mail_url  # fixture: live app
from tests.web.test_vote_browser import sign_in_by_email

pytestmark = pytest.mark.browser
PAPER = "2606.28374"
TITLE_START = "Recursive Self-Evolving Agents"


def save_to_collection_in_browser(
    page: Page, base_url: str, arxiv_id: str, collection: str
) -> None:
    """On the paper page, open ☆ Save, type a new collection and save; the control then
    says ★ Saved (static/library.js updates it in place; without it the form's 303 would
    bring the page back)."""
    page.goto(f"{base_url}/paper/{arxiv_id}")
    page.evaluate("window.__libraryNotReloaded = true")
    control = page.locator("article.paper .save-control").first
    control.locator("summary").click()
    control.get_by_label("Collection (optional)").or_(
        control.get_by_label("or new collection")
    ).fill(collection)
    control.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{base_url}/paper/{arxiv_id}")
    expect(page.locator("article.paper .save-control summary").first).to_have_text("★ Saved")


def test_save_into_a_new_collection_and_find_it_in_the_library(
    page: Page, live_mail_url: str, mailbox: tuple[Mailbox, int]
) -> None:
    sign_in_by_email(page, live_mail_url, mailbox[0], "reader@example.org")
    save_to_collection_in_browser(page, live_mail_url, PAPER, "Reading group")
    assert page.evaluate("window.__libraryNotReloaded") is True  # saved in place
    control = page.locator("article.paper .save-control").first
    expect(control.locator(".save-status")).to_have_text("Saved in: Reading group")
    expect(control.locator(".unsave-form")).to_be_visible()
    # the new collection is offered in every other Save menu on the page at once
    similar = page.locator(".similar .save-control").first
    similar.locator("summary").click()
    expect(similar.locator('select[name="collection"] option')).to_have_text(
        ["(none)", "Reading group"]
    )

    page.get_by_role("link", name="Library", exact=True).click()
    expect(page.locator("h1")).to_have_text("Your library")
    page.locator(".library-collections").get_by_role("link", name="Reading group").click()
    expect(page).to_have_url(f"{live_mail_url}/library?tag=Reading%20group")
    entries = page.locator(".library-entry")
    expect(entries).to_have_count(1)
    expect(entries.first.locator(".paper-title")).to_contain_text(TITLE_START)
    expect(entries.first.locator(".tag")).to_have_text("Reading group")
