"""Code links on the web: the API's ``code`` field (acceptance over the demo data), the
code card of a paper page and the badge of listing rows, with numbers only once synced."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient

from paperboy.arxiv import PaperRecord
from paperboy.config import Settings
from paperboy.ingest.demo import DEMO_FILE
from paperboy.store import Store
from paperboy.web.app import create_app

# Written independently of the extractor: what a reader would call "names a repository".
NAMED_REPO = re.compile(r"github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)", re.IGNORECASE)


def named_repos(text: str) -> set[str]:
    found = set()
    for owner, repo in NAMED_REPO.findall(text.replace("\\_", "_")):
        repo = repo.rstrip(".")
        repo = repo.removesuffix(".git")
        if owner.lower() not in {"orgs", "topics", "features", "sponsors"} and repo:
            found.add(f"{owner}/{repo}".lower())
    return found


@pytest.fixture
def demo_client(settings: Settings, demo_store: Store) -> Iterator[TestClient]:
    # Every paper of the demo is asked for: lift the API read limit for this client.
    unlimited = settings.model_copy(update={"api_read_limit": 100_000})
    with TestClient(create_app(unlimited, demo_store)) as c:
        yield c


def test_every_demo_repository_named_in_the_text_is_a_code_link(demo_client: TestClient) -> None:
    expected: dict[str, set[str]] = {}
    with gzip.open(DEMO_FILE, "rt", encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            repos = named_repos(f"{item.get('abstract') or ''} {item.get('comment') or ''}")
            if repos:
                expected[item.get("id") or item["arxiv_id"]] = repos
    assert len(expected) >= 100  # the demo has plenty: the check means something
    carried = missing = 0
    misses: list[str] = []
    for arxiv_id, repos in expected.items():
        response = demo_client.get(f"/api/papers/{arxiv_id}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["code"] is not None, body
        got = {c["name"].lower() for c in body["code"] if c["kind"] == "github"}
        for repo in repos:
            if repo in got:
                carried += 1
            else:
                missing += 1
                misses.append(f"{arxiv_id} {repo} (got {sorted(got)})")
    share = carried / (carried + missing)
    print(f"{carried}/{carried + missing} named repositories carried ({share:.1%})")
    assert share >= 0.95, misses[:20]


def _paper_with_code(store: Store) -> int:
    store.papers.upsert_papers(
        [
            PaperRecord(
                arxiv_id="2606.00001",
                title="A paper with code",
                abstract="Our code is available at https://github.com/me/ours.",
                comment="Project page: https://me.github.io/ours/",
                categories=["cs.LG"],
                announced=date(2026, 6, 30),
            )
        ]
    )
    paper = store.papers.get_paper("2606.00001")
    assert paper is not None
    return paper.id


def test_unsynced_repository_shows_links_and_no_numbers(empty_client: TestClient) -> None:
    store: Store = empty_client.app.state.store  # type: ignore[attr-defined]
    _paper_with_code(store)
    page = empty_client.get("/paper/2606.00001").text
    assert 'class="code-card"' in page
    assert 'href="https://github.com/me/ours"' in page
    assert 'href="https://me.github.io/ours"' in page
    assert "stars" not in page.split('class="code-card"')[1].split("</section>")[0]
    api = empty_client.get("/api/papers/2606.00001").json()["code"]
    assert [(c["kind"], c["official"], c["stars"], c["stars_gained"]) for c in api] == [
        ("github", True, None, None),
        ("project", False, None, None),
    ]
    row = empty_client.get("/day/2026-06-30").text
    assert 'class="code-badge" href="https://github.com/me/ours"' in row
    assert "★" not in row.split('class="code-badge"')[1].split("</a>")[0]


def test_synced_repository_card_and_badge(empty_client: TestClient) -> None:
    store: Store = empty_client.app.state.store  # type: ignore[attr-defined]
    _paper_with_code(store)
    store.code.add_snapshot("me/ours", date(2026, 6, 23), 1000)
    store.code.record_repo(
        "me/ours",
        full_name="me/ours-renamed",
        stars=1234,
        pushed_at=datetime(2026, 6, 29, 12, 0),
        archived=True,
        description="The official code.",
        license="MIT",
        etag='"abc"',
        now=datetime(2026, 6, 30, 8, 0),
    )
    page = empty_client.get("/paper/2606.00001").text
    card = page.split('class="code-card"')[1].split("</section>")[0]
    assert 'href="https://github.com/me/ours-renamed"' in card
    assert "1,234" in card and "+234 this week" in card
    assert "29 Jun 2026" in card and "licence MIT" in card and "archived" in card
    api = empty_client.get("/api/papers/2606.00001").json()["code"][0]
    assert (api["stars"], api["stars_gained"], api["full_name"], api["license"]) == (
        1234,
        234,
        "me/ours-renamed",
        "MIT",
    )
    assert api["stars_gained_since"] == "2026-06-23" and api["archived"] is True
    badge = empty_client.get("/day/2026-06-30").text.split('class="code-badge"')[1]
    assert "★1.2k</a>" in badge and "1234 GitHub stars" in badge


def test_deleted_repository_says_so(empty_client: TestClient) -> None:
    store: Store = empty_client.app.state.store  # type: ignore[attr-defined]
    _paper_with_code(store)
    store.code.record_gone("me/ours", now=datetime(2026, 6, 30))
    page = empty_client.get("/paper/2606.00001").text
    assert "No longer on GitHub" in page
    assert empty_client.get("/api/papers/2606.00001").json()["code"][0]["gone"] is True
