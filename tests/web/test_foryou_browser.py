"""The "For you" feed in a real browser (Debian's chromium, Playwright): a reader signed
in by the emailed link upvotes one paper and saves another into a collection (the
library's own browser helper), opens "For you" from the navigation, sees related papers
with the reasons, and dismisses one with "Not interested"."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.accounts.conftest import Mailbox
from tests.accounts.conftest import mailbox as mailbox  # fixture: a real SMTP server
from tests.web.test_browser import browser as browser  # fixture: chromium
from tests.web.test_browser import page as page  # fixture: a fresh browser page
from tests.web.test_library_browser import save_to_collection_in_browser
from tests.web.test_vote_browser import live_mail_url as live_mail_url  # fixture: the app
from tests.web.test_vote_browser import sign_in_by_email

pytestmark = pytest.mark.browser
UPVOTED = "2606.27604"  # Spectral Subsurface Scattering from RGB via Biophysical Skin ...
RELATED = "2606.29387"  # Dipole Diffusion Error ... Grid-Free Subsurface Scattering
SAVED = "2606.26434"  # Deletion-Correcting Codes for the l-Symbol Read Channel


def row_of(page: Page, arxiv_id: str) -> Locator:
    return page.locator(".paper-row", has=page.locator(f'a[href="/paper/{arxiv_id}"]'))


def test_upvote_and_save_then_see_and_dismiss_recommendations(
    page: Page, live_mail_url: str, mailbox: tuple[Mailbox, int]
) -> None:
    sign_in_by_email(page, live_mail_url, mailbox[0], "reader@example.org")
    page.locator(".account-nav").get_by_role("link", name="For you").click()
    expect(page.locator(".foryou-empty")).to_contain_text("upvote")

    page.goto(live_mail_url + "/day/2026-06-29")
    button = row_of(page, UPVOTED).locator(".vote-button")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    save_to_collection_in_browser(page, live_mail_url, SAVED, "Coding theory")

    page.locator(".account-nav").get_by_role("link", name="For you").click()
    entry = row_of(page, RELATED)
    expect(entry.locator(".foryou-reason")).to_have_text(
        "Because you upvoted “Spectral Subsurface Scattering from RGB via Biophysical Skin "
        "Inversion”"
    )
    because_saved = page.locator(
        ".foryou-reason", has_text="Because you saved “Deletion-Correcting Codes"
    )
    expect(because_saved.first).to_be_visible()
    entry.get_by_role("button", name="Not interested").click()
    expect(page).to_have_url(live_mail_url + "/for-you")
    expect(page.locator(".foryou-reason").first).to_be_visible()
    expect(row_of(page, RELATED)).to_have_count(0)
