"""Accessibility: an axe-core scan (the copy bundled in the ``axe-playwright-python``
package, no CDN) of the front page, trending, a paper page with its code card and
Hugging Face block, search results and the sign-in page, in light and dark mode, finds
no serious or critical violation. Also: the paper page loads with no CSP error in the
console, and its "Cite" block works with and without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from paperboy.config import Settings
from paperboy.ingest.records import make_record
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.store.hf import HfEntry
from paperboy.web import create_app
from tests.support import served
from tests.web.test_browser import browser as browser  # fixture: chromium

pytestmark = pytest.mark.browser
PAPER = "2606.28374"
REPO = "example-lab/fast-thing"
PAGES = [
    "/",
    "/trending?window=30",
    f"/paper/{PAPER}",
    "/search?q=neural+networks",
    "/signin",
]
BLOCKING = {"serious", "critical"}


def seed_context(store: Store) -> None:
    """HF data and a synced repository for one paper: the page shows both blocks."""
    stored = store.papers.get_paper(PAPER)
    assert stored is not None
    store.hf.save(
        [
            make_record(
                PAPER,
                stored.title,
                source="test",
                upvotes=55,
                comment=f"Code: https://github.com/{REPO}",
            )
        ],
        [
            HfEntry(
                PAPER,
                55,
                comments=3,
                featured_on=date(2026, 6, 30),
                submitter="akhaliq",
                submitter_name="AK",
                github_repo=f"https://github.com/{REPO}",
                ai_summary="A summary written by Hugging Face's model.",
                ai_keywords=["graphs", "speed"],
            )
        ],
        synced_at=datetime(2026, 7, 1, 9, 0),
    )
    store.code.add_snapshot(REPO.lower(), date(2026, 6, 23), 900)
    store.code.record_repo(
        REPO.lower(),
        full_name=REPO,
        stars=1234,
        pushed_at=datetime(2026, 6, 29, 12, 0),
        archived=False,
        description="The official implementation.",
        license="MIT",
        etag='"x"',
        now=datetime(2026, 6, 30, 8, 0),
    )


@pytest.fixture
def context_url(
    settings: Settings, loaded_store: Store, search_service: SearchService
) -> Iterator[str]:
    seed_context(loaded_store)
    with served(create_app(settings, loaded_store, search_service)) as url:
        yield url


def blocking(results: Any) -> list[str]:
    found = []
    for v in results.response["violations"]:
        if v.get("impact") in BLOCKING:
            targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:5]]
            found.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_violations(
    browser: Browser,
    context_url: str,
    scheme: str,
) -> None:
    context = browser.new_context(
        viewport={"width": 1200, "height": 900},
        color_scheme=scheme,  # type: ignore[arg-type]
    )
    page = context.new_page()
    axe = Axe()
    problems: dict[str, list[str]] = {}
    try:
        for path in PAGES:
            page.goto(context_url + path)
            if path.startswith("/paper/"):
                expect(page.locator(".code-card")).to_be_visible()
                expect(page.locator(".hf-signal")).to_be_visible()
                page.locator(".cite summary").click()  # scan the open "Cite" block too
            elif path.startswith("/search"):
                assert page.locator(".paper-row").count() > 0
            found = blocking(axe.run(page))
            if found:
                problems[path] = found
    finally:
        context.close()
    assert problems == {}, "\n".join(f"{p}: {v}" for p, vs in problems.items() for v in vs)


def test_paper_page_has_no_csp_errors_and_cite_works(
    browser: Browser,
    context_url: str,
) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    try:
        response = page.goto(f"{context_url}/paper/{PAPER}")
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
        ld = page.locator('script[type="application/ld+json"]').text_content()
        assert ld is not None and '"ScholarlyArticle"' in ld
        page.locator(".cite summary").click()
        bibtex = page.locator("#bibtex")
        expect(bibtex).to_be_visible()
        expect(bibtex).to_contain_text(f"eprint = {{{PAPER}}}")
        copy = page.get_by_role("button", name="Copy BibTeX")
        expect(copy).to_be_visible()  # shown by cite.js
        copy.click()
        expect(page.locator(".cite .copy-status")).to_have_text("Copied.")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.strip() == (bibtex.text_content() or "").strip()
        assert [c for c in console if "Content Security Policy" in c or c.startswith("error")] == []
    finally:
        context.close()


def test_cite_without_javascript(
    browser: Browser,
    context_url: str,
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page: Page = context.new_page()
    try:
        page.goto(f"{context_url}/paper/{PAPER}")
        page.locator(".cite summary").click()
        expect(page.locator("#bibtex")).to_contain_text(f"eprint = {{{PAPER}}}")
        expect(page.locator(".copy-button")).to_be_hidden()  # no dead button
    finally:
        context.close()
