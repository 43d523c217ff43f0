"""A phone-sized screenshot of a fresh demo's front page, each row with its one-line
TL;DR (docs/tldr.md), written to docs/screenshots/tldr-phone.png.

Runs `paperboy serve` on a new, empty data folder (the demo loads on first start; no
network; background indexing off, so no embeddings are computed) and opens it in
Debian's chromium at 375 x 812 through Playwright.

    python scripts/screenshot_tldr.py [--out docs/screenshots] [--port 8766]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from take_screenshots import ARGS, CHROMIUM, ROOT, fresh_demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    demo = fresh_demo(args.port, PAPERBOY_BACKGROUND_INDEXING="false")
    with demo as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 375, "height": 812}, is_mobile=True)
        page.goto(f"{base}/")
        # start at the first row, so several rows (and their lines) show
        page.locator(".paper-row").first.evaluate(
            "el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 8)"
        )
        target = args.out / "tldr-phone.png"
        page.screenshot(path=str(target), full_page=False)
        print(target)
        browser.close()


if __name__ == "__main__":
    main()
