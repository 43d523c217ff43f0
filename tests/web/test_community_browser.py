"""The community features end to end in a real browser (Debian's chromium, Playwright):
a reader signs in through the link emailed to a real local SMTP server (aiosmtpd),
upvotes a paper, comments on it, and submits a paper that paperboy fetches from the
arXiv API played by a real local HTTP server."""

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
from tests.ingest.conftest import arxiv_stand_in
from tests.ingest.conftest import source_server as source_server  # fixture: HTTP server
from tests.ingest.source_server import LocalServer
from tests.support import free_port, served
from tests.web.test_browser import browser as browser  # fixture: chromium
from tests.web.test_browser import page as page  # fixture: a fresh browser page
from tests.web.test_submissions import RECENT_ID, play_arxiv
from tests.web.test_vote_browser import sign_in_by_email

pytestmark = pytest.mark.browser
PAPER = "2606.28773"


@pytest.fixture
def community_url(
    settings: Settings,
    loaded_store: Store,
    search_service: SearchService,
    mailbox: tuple[Mailbox, int],
    source_server: LocalServer,
) -> Iterator[str]:
    source_server.handler = play_arxiv
    port = free_port()
    app_settings = make_settings(
        settings.data_dir,
        mailbox[1],
        model_dir=settings.model_dir,
        base_url=f"http://127.0.0.1:{port}",
        **arxiv_stand_in(source_server),
    )
    with served(create_app(app_settings, loaded_store, search_service), port) as url:
        yield url


def test_sign_in_by_email_upvote_comment_and_submit(
    page: Page, community_url: str, mailbox: tuple[Mailbox, int]
) -> None:
    # Sign in with the link from the email the SMTP server received.
    page.goto(community_url + "/")
    page.get_by_role("link", name="Sign in", exact=True).click()
    sign_in_by_email(page, community_url, mailbox[0], "ada@example.org")

    # Upvote from the paper page.
    page.goto(f"{community_url}/paper/{PAPER}")
    button = page.locator(".vote-button").first
    expect(button.locator(".vote-count")).to_have_text("0")
    button.click()
    expect(button.locator(".vote-count")).to_have_text("1")

    # Comment, with Markdown and an attempt at a script.
    page.get_by_label("Post comment").fill("Nice **result**. <script>alert(1)</script>")
    page.get_by_role("button", name="Post comment").click()
    comment = page.locator(".comment").last
    expect(comment.locator(".comment-body strong")).to_have_text("result")
    expect(comment.locator(".comment-body")).to_contain_text("<script>alert(1)</script>")
    expect(page.locator(".vote-button .vote-count").first).to_have_text("1")  # kept

    # Submit a recent paper by its arXiv URL; it lands on today's page.
    page.goto(community_url + "/submit")
    page.fill("#paper_id", f"https://arxiv.org/abs/{RECENT_ID}")
    page.get_by_role("button", name="Submit").click()
    expect(page).to_have_url(f"{community_url}/paper/{RECENT_ID}")
    expect(page.locator(".submitted-by")).to_contain_text("submitted by")
    page.goto(community_url + "/day")
    expect(page.locator(f'.paper-row a[href="/paper/{RECENT_ID}"]')).to_be_visible()
