"""/api/docs in a real browser: Swagger UI shows each operation once, and the page has a
way back to the site."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.test_browser import browser as browser  # fixture: chromium
from tests.web.test_browser import live_url as live_url  # fixture: the app on localhost
from tests.web.test_browser import page as page  # fixture: a fresh browser page

pytestmark = pytest.mark.browser


def test_swagger_lists_each_operation_once(page: Page, live_url: str) -> None:
    schema: dict[str, Any] = page.request.get(f"{live_url}/api/openapi.json").json()
    operations = sum(
        1
        for path, methods in schema["paths"].items()
        if path.startswith("/api/")
        for _method in methods
    )
    page.goto(f"{live_url}/api/docs")
    blocks = page.locator(".opblock")
    expect(blocks.first).to_be_visible()
    assert blocks.count() == operations
    back = page.get_by_role("link", name="Back to paperboy")
    expect(back).to_be_visible()
    back.click()
    page.wait_for_url(f"{live_url}/")
