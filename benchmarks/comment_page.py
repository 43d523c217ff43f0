"""Run by hand (a few seconds): how long the paper page takes with 100 long comments.

Target (issue 10, fix 3): a paper with 100 comments (each a 5,000-character Markdown
body, the longest allowed by default, as an attacker would post) answers in under
100 ms. The comments are inserted through the store (the comment route is rate
limited); the script then times GETs of the paper page with the real app and a
TestClient, signed out, after a warm-up, and prints the median.

    .venv/bin/python benchmarks/comment_page.py [--comments 100] [--requests 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from paperboy.config import Settings  # noqa: E402
from paperboy.ingest.jsonl import ingest_jsonl  # noqa: E402
from paperboy.store import Store  # noqa: E402
from paperboy.web import create_app  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "papers-small.jsonl"
PAPER = "2606.28374"

PARAGRAPH = (
    "This **result** looks *interesting*, but see [the follow-up](https://example.org/x) "
    "and https://arxiv.org/abs/2606.00001 for a `counterexample`; the bound in eq. 3 "
    "only holds when the loss is convex.\n\n> quoted from the abstract: we show that\n\n"
    "- first point with _emphasis_\n- second point with a [link](https://example.com)\n\n"
)


def long_body(chars: int) -> str:
    return (PARAGRAPH * (chars // len(PARAGRAPH) + 1))[:chars]


def seed(store: Store, paper_id: int, n: int, chars: int) -> None:
    """``n`` comments by different accounts, a reply for every fourth."""
    # Imported here so that the script also measures the code before fix 3 (no HTML
    # stored at write time then: comments went straight into the store).
    try:
        from paperboy.community.comments import store_comment
    except ImportError:
        store_comment = None
    body = long_body(chars)
    previous = None
    for i in range(n):
        user = store.accounts.create_user(f"c{i}@example.org", display_name=f"Reader {i}")
        parent = previous if i % 4 == 3 else None
        if store_comment is not None:
            comment = store_comment(store, paper_id, user.id, body, parent_id=parent)
        else:
            comment = store.comments.add_comment(paper_id, user.id, body, parent_id=parent)
        previous = comment.id


def median_ms(client: TestClient, path: str, requests: int) -> float:
    for _ in range(3):  # warm-up: templates compiled, connections open
        assert client.get(path).status_code == 200
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100)
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), background_indexing=False, digest_scheduler=False)
        store = Store.open(f"sqlite:///{tmp}/paperboy.db")
        ingest_jsonl(store, FIXTURE)
        paper = store.papers.get_paper(PAPER)
        assert paper is not None
        seed(store, paper.id, args.comments, args.chars)
        with TestClient(create_app(settings, store)) as client:
            took = median_ms(client, f"/paper/{PAPER}", args.requests)
        store.close()
    print(f"paper page with {args.comments} comments of {args.chars} chars: {took:.1f} ms median")


if __name__ == "__main__":
    main()
