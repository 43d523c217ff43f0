"""Following in a real browser (Debian's chromium, Playwright): a reader signed in by the
emailed link clicks an author's name on a paper row, follows the name from its page,
then a new paper by that author is ingested (the real JSONL ingest) and appears on
/following with "by <name>". The author page and /following pass an axe-core scan (no
serious or critical violation, light and dark)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.store import Store
from tests.accounts.conftest import Mailbox
from tests.accounts.conftest import mailbox as mailbox  # fixture: a real SMTP server
from tests.web.test_accessibility_browser import blocking
from tests.web.test_browser import browser as browser  # fixture: chromium
from tests.web.test_browser import page as page  # fixture: a fresh browser page
from tests.web.test_vote_browser import live_mail_url as live_mail_url  # fixture: the app
from tests.web.test_vote_browser import sign_in_by_email

pytestmark = pytest.mark.browser
PAPER = "2606.28773"  # Reaching as Cheap as Possible in 1-clock Robust Weighted Timed Games
NEW = {
    "id": "2606.90077",
    "title": "Robust Timed Games Revisited",
    "abstract": "We revisit the value problem of robust weighted timed games.",
    "authors": ["Maelle Gautrin", "Nathalie Bertrand"],  # another spelling of the name
    "categories": ["cs.GT"],
    "listing_date": "2026-06-30",
}


def test_follow_an_author_from_a_row_then_see_their_new_paper(
    page: Page,
    live_mail_url: str,
    mailbox: tuple[Mailbox, int],
    loaded_store: Store,
    tmp_path: Path,
) -> None:
    sign_in_by_email(page, live_mail_url, mailbox[0], "follower@example.org")
    page.goto(live_mail_url + "/day/2026-06-30")
    row = page.locator(".paper-row", has=page.locator(f'a[href="/paper/{PAPER}"]'))
    row.get_by_role("link", name="Maëlle Gautrin").click()
    expect(page.locator("h1")).to_have_text("Maëlle Gautrin")
    expect(page.locator(".name-note")).to_contain_text("A name is not a person")
    page.get_by_role("button", name="Follow Maëlle Gautrin").click()
    expect(page.get_by_role("button", name="Following Maëlle Gautrin ✓ (unfollow)")).to_be_visible()

    page.get_by_role("link", name="Your Following page").click()
    old = page.locator(".paper-row", has=page.locator(f'a[href="/paper/{PAPER}"]'))
    expect(old.locator(".following-reason")).to_have_text("by Maëlle Gautrin")
    expect(page.locator(f'a[href="/paper/{NEW["id"]}"]')).to_have_count(0)

    source = tmp_path / "new.jsonl"
    source.write_text(json.dumps(NEW) + "\n", encoding="utf-8")
    assert ingest_jsonl(loaded_store, source).added_ids == [NEW["id"]]
    page.reload()
    new = page.locator(".paper-row", has=page.locator(f'a[href="/paper/{NEW["id"]}"]'))
    expect(new.locator(".following-reason")).to_have_text("by Maëlle Gautrin")
    expect(page.locator(".paper-row").first).to_contain_text("Robust Timed Games Revisited")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        for path in ("/following", "/author/Ma%C3%ABlle%20Gautrin"):
            page.goto(live_mail_url + path)
            assert blocking(Axe().run(page)) == [], (scheme, path)
