"""On a phone (375 px wide) every row's TL;DR stays one line: no wrap (its text forms a
single line box), an ellipsis instead of overflow, and the page never scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.web.test_browser import browser as browser  # fixture: chromium
from tests.web.test_browser import live_url as live_url  # fixture: the app on uvicorn

pytestmark = pytest.mark.browser

LINE_BOXES = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const rects = [...range.getClientRects()].filter(r => r.width > 0);
  // A second line box starts below the bottom of the first (the label's smaller font
  // sits a pixel lower on the same line, which is not a wrap).
  const firstBottom = Math.min(...rects.map(r => r.bottom));
  return {
    lines: 1 + rects.filter(r => r.top >= firstBottom - 1).length,
    height: el.getBoundingClientRect().height,
    labelHeight: el.querySelector('.tldr-label').getBoundingClientRect().height,
    truncated: el.scrollWidth > el.clientWidth,
    ellipsis: getComputedStyle(el).textOverflow,
    right: el.getBoundingClientRect().right,
  };
}"""


def test_tldr_is_one_line_on_a_phone(browser: Browser, live_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(live_url + "/")
        lines = page.locator(".paper-row .tldr")
        expect(lines).to_have_count(13)
        truncated = 0
        for i in range(lines.count()):
            box = lines.nth(i).evaluate(LINE_BOXES)
            assert box["lines"] == 1, box
            assert box["height"] < 2 * max(box["labelHeight"], 12), box  # one line tall
            assert box["ellipsis"] == "ellipsis"
            assert box["right"] <= 375
            truncated += box["truncated"]
        assert truncated >= 10  # abstract sentences are longer than a phone's line
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], widths  # no horizontal scrolling
        # The abstract is still one tap away, below the line.
        row = page.locator(".paper-row").first
        row.locator("details.abstract summary").click()
        expect(row.locator("details.abstract p").first).to_be_visible()
    finally:
        context.close()
