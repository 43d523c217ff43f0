"""Screenshots of a fresh demo for the README: the front page, trending and a paper page
with a code card and a Hugging Face block.

Runs the README's first command (`paperboy serve`) on a new, empty data folder (the demo
loads on first start; no network), opens it in Debian's chromium through Playwright and
writes PNGs to docs/screenshots/.

    python scripts/take_screenshots.py [--out docs/screenshots] [--port 8765]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HF_MONTHS = ("2024-04", "2024-03", "2024-02", "2024-01", "2023-12")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (our http://127.0.0.1)
        return json.load(response)


def wait_for_port(port: int, seconds: float = 300.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise SystemExit(f"paperboy serve did not listen on port {port} in {seconds:.0f} s")


@contextmanager
def fresh_demo(port: int, **settings: str) -> Iterator[str]:
    """The README's first command (`paperboy serve`) on a new, empty data folder (the
    demo loads on first start; no network), with extra PAPERBOY_* ``settings``; yields
    its base URL once it listens, and stops it afterwards."""
    paperboy = Path(sys.executable).with_name("paperboy")
    with tempfile.TemporaryDirectory(prefix="paperboy-demo-") as data:
        env = {**os.environ, **settings, "PAPERBOY_DATA_DIR": data, "PYTHONPATH": str(ROOT)}
        env.pop("PAPERBOY_DATABASE_URL", None)
        server = subprocess.Popen(  # noqa: S603 (our own paperboy, fixed arguments)
            [str(paperboy), "serve", "--port", str(port)], env=env, cwd=data
        )
        try:
            wait_for_port(port)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=30)


def paper_with_context(base: str) -> str:
    """A much upvoted paper with Hugging Face data (a summary) and a GitHub link: from
    trending, else from the months the shipped HF daily papers cover, most votes first."""
    lists = [f"/api/trending?window={w}&limit=100" for w in (7, 30)]
    lists += [f"/api/feed?view=month&date={m}&sort=votes&limit=50" for m in HF_MONTHS]
    fallback = None
    for path in lists:
        for item in get_json(base + path)["papers"]:
            found = get_json(f"{base}/api/papers/{item['id']}")
            hf = found.get("hf")
            if hf and any(c["kind"] == "github" for c in found.get("code") or []):
                if hf.get("ai_summary"):
                    return str(item["id"])
                fallback = fallback or str(item["id"])
    if fallback is None:
        raise SystemExit("no paper with both HF data and a GitHub link")
    return fallback


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    # the script asks the API about many papers: no rate limit on this private run
    with fresh_demo(args.port, PAPERBOY_API_RATE_LIMIT="false") as base:
        paper = paper_with_context(base)
        shots = {"front.png": "/", "trending.png": "/trending", "paper.png": f"/paper/{paper}"}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            for name, path in shots.items():
                page.goto(base + path)
                if path.startswith("/paper/"):
                    # the code card and HF block sit below the title: show them
                    page.locator(".hf-signal").scroll_into_view_if_needed()
                    page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=str(args.out / name), full_page=False)
                print(f"{args.out / name}: {base}{path}")
            browser.close()


if __name__ == "__main__":
    main()
