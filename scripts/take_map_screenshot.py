"""The topic map of a fresh demo's newest week, for the README (docs/screenshots/map.png).

Runs the README's first command (`paperboy serve`) on a new, empty data folder: the demo
loads, the background indexer embeds its papers (no embeddings are shipped), and the map
of the newest week fills in as they arrive. The script prints what `/api/map` answers
meanwhile (how many papers are on the map, how many still wait for an embedding), then
screenshots `/map` once every paper of the week is on it.

    python scripts/take_map_screenshot.py [--out docs/screenshots] [--port 8766]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from take_screenshots import ARGS, CHROMIUM, ROOT, fresh_demo


def get_json(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (our localhost)
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def wait_for_full_map(base: str, seconds: float) -> dict[str, Any]:
    """Poll /api/map (the newest week) until no paper of the week waits for an embedding."""
    started = time.monotonic()
    last: dict[str, Any] | None = None
    while time.monotonic() - started < seconds:
        try:
            status, body = get_json(base + "/api/map")
        except (urllib.error.URLError, ConnectionError):
            time.sleep(2)
            continue
        elapsed = time.monotonic() - started
        if status == 200:
            print(
                f"{elapsed:5.0f} s: {body['period']} {body['status']}: {len(body['papers'])} "
                f"papers on the map, {body['papers_without_embedding']} waiting for embeddings"
            )
            complete = body["status"] == "ready" and body["papers_without_embedding"] == 0
            # The previous week's embeddings feed the rising comparison: wait until the
            # map stops being rebuilt (the same build twice in a row).
            if complete and last is not None and last["built_at"] == body["built_at"]:
                return body
            last = body if complete else None
        else:
            print(f"{elapsed:5.0f} s: {status} {body['error']['detail']}")
        time.sleep(20)
    raise SystemExit(f"the newest week's map was not complete after {seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--wait", type=float, default=1800.0, help="seconds to wait at most")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with fresh_demo(args.port) as base:
        body = wait_for_full_map(base, args.wait)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            page.goto(f"{base}/map?period={body['period']}", timeout=180_000)
            page.locator(".topic-map svg").scroll_into_view_if_needed()
            page.evaluate("window.scrollTo(0, 0)")
            target = args.out / "map.png"
            page.screenshot(path=str(target), full_page=False)
            print(f"{target}: {base}/map?period={body['period']}")
            browser.close()


if __name__ == "__main__":
    main()
