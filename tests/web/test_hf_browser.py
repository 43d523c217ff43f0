"""The upvote breakdown in a real browser: the paper page's "▲ 56: HF 55 · here 1" and
the button's title follow an in-place vote."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from playwright.sync_api import Page, expect

from paperboy.ingest.records import make_record
from paperboy.store import Store
from paperboy.store.hf import HfEntry
from tests.accounts.conftest import Mailbox
from tests.accounts.conftest import mailbox as mailbox  # fixture: a real SMTP server
from tests.web.test_browser import browser as browser  # fixture: chromium
from tests.web.test_browser import page as page  # fixture: a fresh browser page
from tests.web.test_vote_browser import PAPER, sign_in_by_email
from tests.web.test_vote_browser import live_mail_url as live_mail_url  # fixture

pytestmark = pytest.mark.browser


def test_breakdown_follows_an_in_place_vote(
    page: Page, live_mail_url: str, mailbox: tuple[Mailbox, int], loaded_store: Store
) -> None:
    stored = loaded_store.papers.get_paper(PAPER)
    assert stored is not None
    loaded_store.hf.save(
        [make_record(PAPER, stored.title, source="test", upvotes=55)],
        [HfEntry(PAPER, 55, featured_on=date(2026, 7, 1), submitter="akhaliq")],
        synced_at=datetime(2026, 7, 1, 9, 0),
    )
    sign_in_by_email(page, live_mail_url, mailbox[0], "reader@example.org")
    page.goto(f"{live_mail_url}/paper/{PAPER}")
    sources = page.locator(".vote-sources")
    expect(sources).to_have_text("▲ 55: HF 55 · here 0")
    expect(page.get_by_role("link", name="Daily papers, 1 Jul")).to_have_attribute(
        "href", f"https://huggingface.co/papers/{PAPER}"
    )
    button = page.locator(".vote-button").first  # the paper's own, before similar papers
    expect(button).to_have_attribute("title", "Upvote (55 upvotes: HF 55 · here 0)")
    button.click()
    expect(button.locator(".vote-count")).to_have_text("56")
    expect(sources).to_have_text("▲ 56: HF 55 · here 1")
    expect(button).to_have_attribute("title", "Upvote (56 upvotes: HF 55 · here 1)")
