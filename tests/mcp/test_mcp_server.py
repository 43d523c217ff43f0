"""`paperboy mcp` as an MCP client uses it: the real command in its own process, spoken to
over stdio by the SDK's own client (``stdio_client`` + ``ClientSession``).

One server per module serves every test (it starts in about two seconds). Its data folder
holds the 37 fixture papers with their keyword index and embeddings, Hugging Face counts
(one with an AI summary) for two of them, a local vote and an editors' pick; every answer
is checked against the store. A second server, on papers without embeddings or keyword
index, shows the honest degradation: keyword matches, and the notes that say so.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from click.testing import CliRunner
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.types import CallToolResult

from paperboy.arxiv import PaperRecord
from paperboy.cli import cli
from paperboy.config import Settings
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.store.hf import HfEntry
from tests.support import ROOT, SMALL_PAPERS

TOOLS = {"search_papers", "get_paper", "trending", "daily", "similar_papers"}
NEWEST_DAY = "2026-06-30"  # of the fixture papers: 13 papers
HF_PAPER = "2606.27670"  # has a GitHub link in its abstract
HF_OTHER = "2606.28122"
FEATURED = date(2026, 6, 29)
SUMMARY = "A benchmark of time-series models on cryptocurrency prices, written by HF's AI."


@dataclass
class McpClient:
    """A ClientSession driven from synchronous tests through a portal (one event loop,
    in its own thread, owns the session from start to end)."""

    portal: BlockingPortal
    session: ClientSession
    stderr: Path
    started_in: float

    def call(self, name: str, **arguments: Any) -> CallToolResult:
        return self.portal.call(self.session.call_tool, name, arguments)

    def ok(self, name: str, **arguments: Any) -> dict[str, Any]:
        result = self.call(name, **arguments)
        assert not result.is_error, result.content
        assert result.content and result.content[0].type == "text"
        assert isinstance(result.structured_content, dict)
        return result.structured_content

    def error(self, name: str, **arguments: Any) -> str:
        result = self.call(name, **arguments)
        assert result.is_error, result.structured_content
        assert result.content[0].type == "text"
        return result.content[0].text


def server_env(data_dir: Path, model_dir: Path) -> dict[str, str]:
    return {
        "PYTHONPATH": str(ROOT),
        "PAPERBOY_DATA_DIR": str(data_dir),
        "PAPERBOY_MODEL_DIR": str(model_dir),
        "PAPERBOY_BASE_URL": "http://papers.test",
    }


@asynccontextmanager
async def _connected(env: dict[str, str], errlog: Any) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "paperboy", "mcp"], env=env, cwd=str(ROOT)
    )
    async with (
        stdio_client(params, errlog=errlog) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


@contextmanager
def running_server(env: dict[str, str], log: Path) -> Iterator[McpClient]:
    with open(log, "w") as errlog, start_blocking_portal() as portal:
        started = time.perf_counter()
        with portal.wrap_async_context_manager(_connected(env, errlog)) as session:
            yield McpClient(portal, session, log, time.perf_counter() - started)


def seed_signal(store: Store) -> None:
    """HF counts for two papers (one with a summary), a local vote on one, a pick."""
    ids = [HF_PAPER, HF_OTHER]
    papers = store.papers.get_papers(ids)
    records = [
        PaperRecord(arxiv_id=a, title=papers[a].title, upvotes=u, source="hf")
        for a, u in zip(ids, (55, 12), strict=True)
    ]
    entries = [
        HfEntry(
            HF_PAPER,
            upvotes=55,
            comments=3,
            submitter="akhaliq",
            submitter_name="AK",
            featured_on=FEATURED,
            ai_summary=SUMMARY,
            ai_keywords=["time series"],
        ),
        HfEntry(HF_OTHER, upvotes=12, featured_on=FEATURED),
    ]
    store.hf.save(records, entries, synced_at=datetime(2026, 6, 30, 8))
    reader = store.accounts.create_user("ada@example.org", display_name="Ada")
    store.votes.add_vote(reader.id, papers[HF_PAPER].id, datetime(2026, 6, 29, 12))
    day = store.papers.get_paper("2606.28926")
    assert day is not None and day.announced == date(2026, 6, 30)
    store.moderation.toggle_pick(day.id, reader.id, day.announced)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, prepared_data_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("mcp-data")
    shutil.copytree(prepared_data_dir, folder, dirs_exist_ok=True)
    store = Store.open(f"sqlite:///{folder / 'paperboy.db'}")
    seed_signal(store)
    store.close()
    return folder


@pytest.fixture(scope="module")
def store(data_dir: Path) -> Iterator[Store]:
    s = Store.open(f"sqlite:///{data_dir / 'paperboy.db'}")
    yield s
    s.close()


@pytest.fixture(scope="module")
def client(data_dir: Path, model_dir: Path) -> Iterator[McpClient]:
    with running_server(server_env(data_dir, model_dir), data_dir / "mcp.log") as served:
        yield served


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["mcp", "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and '"args": ["mcp"]' in result.output


def test_lists_five_read_only_tools_with_typed_schemas(client: McpClient) -> None:
    assert client.started_in < 15, f"server took {client.started_in:.1f} s to start"
    listed = {t.name: t for t in client.portal.call(client.session.list_tools).tools}
    assert set(listed) == TOOLS
    for tool in listed.values():
        assert tool.description and len(tool.description) > 80
        assert tool.annotations is not None and tool.annotations.read_only_hint is True
        assert tool.output_schema is not None and tool.output_schema["type"] == "object"
        assert tool.input_schema["type"] == "object"
    search = listed["search_papers"].input_schema
    assert search["required"] == ["query"]
    assert search["properties"]["mode"]["enum"] == ["hybrid", "lexical", "semantic"]
    assert search["properties"]["limit"]["maximum"] == 50
    assert listed["trending"].input_schema["properties"]["window"]["enum"] == [1, 7, 30]
    assert listed["get_paper"].input_schema["required"] == ["arxiv_id"]
    assert listed["similar_papers"].input_schema["properties"]["limit"]["maximum"] == 30
    assert listed["daily"].input_schema["properties"]["limit"]["maximum"] == 100
    assert "results" in listed["search_papers"].output_schema["properties"]


def test_search_papers_finds_the_paper_by_its_words(client: McpClient, store: Store) -> None:
    answer = client.ok("search_papers", query="cryptocurrency time series models", limit=5)
    assert answer["mode"] == answer["mode_used"] == "hybrid"
    assert answer["notes"] == []  # every fixture paper has its embedding
    top = answer["results"][0]
    assert top["id"] == HF_PAPER
    stored = store.papers.get_paper(HF_PAPER)
    assert stored is not None
    assert top["title"] == stored.title and top["authors"] == stored.authors
    assert (top["upvotes"], top["upvotes_hf"], top["upvotes_here"]) == (56, 55, 1)
    assert top["url"] == f"http://papers.test/paper/{HF_PAPER}"
    assert top["code_url"] and top["code_url"].startswith("https://github.com/")
    assert len(answer["results"]) <= 5

    lexical = client.ok("search_papers", query="cryptocurrency", mode="lexical")
    assert lexical["mode_used"] == "lexical" and lexical["results"][0]["id"] == HF_PAPER
    assert "ryptocurrenc" in lexical["results"][0]["snippet"]

    filtered = client.ok("search_papers", query="codes", category="cs.IT", limit=50)
    assert filtered["results"]
    assert all("cs.IT" in r["categories"] for r in filtered["results"])
    dated = client.ok("search_papers", query="codes", date_from=NEWEST_DAY, mode="lexical")
    assert all(r["announced"] == NEWEST_DAY for r in dated["results"])

    exact = client.ok("search_papers", query=f"arXiv:{HF_OTHER}v1")
    assert exact["exact"] is True and [r["id"] for r in exact["results"]] == [HF_OTHER]

    text = client.call("search_papers", query="cryptocurrency").content[0].text
    assert HF_PAPER in text and "▲ 56 (HF 55 · here 1)" in text


def test_get_paper_has_everything_the_paper_page_has(client: McpClient, store: Store) -> None:
    answer = client.ok("get_paper", arxiv_id=f"https://arxiv.org/abs/{HF_PAPER}")
    stored = store.papers.get_paper(HF_PAPER)
    assert stored is not None
    assert answer["id"] == HF_PAPER and answer["title"] == stored.title
    assert answer["authors"] == stored.authors and answer["abstract"] == stored.abstract
    assert answer["categories"] == stored.categories
    assert answer["announced"] == stored.announced.isoformat() if stored.announced else True
    assert answer["upvotes"] == {"total": 56, "hf": 55, "here": 1}
    assert answer["hf"]["ai_summary"] == SUMMARY
    assert answer["hf"]["featured_on"] == FEATURED.isoformat()
    assert answer["hf"]["submitter"] == "AK"
    assert answer["hf"]["url"] == f"https://huggingface.co/papers/{HF_PAPER}"
    code = store.code.links_for(stored.id)
    assert [c["url"] for c in answer["code"]] == [c.url for c in code] and code
    assert [c["official"] for c in answer["code"]] == [c.official for c in code]
    links = answer["links"]
    assert links["page"] == f"http://papers.test/paper/{HF_PAPER}"
    assert links["abs"] == stored.abs_url and links["pdf"] == stored.pdf_url
    assert links["html"] == f"https://arxiv.org/html/{HF_PAPER}"
    text = client.call("get_paper", arxiv_id=HF_PAPER).content[0].text
    assert "Summary by Hugging Face's AI (not the authors')" in text and SUMMARY in text

    plain = client.ok("get_paper", arxiv_id="2606.26139")
    assert plain["hf"] is None and plain["upvotes"] == {"total": 0, "hf": 0, "here": 0}


def test_trending_says_why_and_as_of_which_day(client: McpClient) -> None:
    answer = client.ok("trending", window=7, limit=10)
    # The fixture's signal is from June 2026, older than any window ending today.
    assert answer["as_of"] == FEATURED.isoformat()
    assert "up to 2026-06-29" in answer["note"]
    ranked = [(p["id"], p["why"], p["rank"]) for p in answer["papers"]]
    assert ranked == [(HF_PAPER, "HF 55 · here 1", 1), (HF_OTHER, "HF 12", 2)]
    assert answer["papers"][0]["upvotes"] == 56
    assert client.ok("trending", window=1, limit=1)["papers"][0]["id"] == HF_PAPER
    text = client.call("trending", window=30).content[0].text
    assert "as of 2026-06-29" in text and "why: HF 55 · here 1" in text


def test_has_code_filters_trending_daily_and_search(client: McpClient, store: Store) -> None:
    with_code = set(store.code.arxiv_ids_with_code())
    assert {HF_PAPER, HF_OTHER} <= with_code  # both trending papers link a repository
    coded = client.ok("trending", window=7, limit=10, has_code=True)
    assert [p["id"] for p in coded["papers"]] == [HF_PAPER, HF_OTHER]
    day = client.ok("daily", date="2026-06-29", has_code=True)
    everything = client.ok("daily", date="2026-06-29")
    assert {p["id"] for p in day["papers"]} == {
        p["id"] for p in everything["papers"] if p["id"] in with_code
    }
    assert day["total"] < everything["total"]
    found = client.ok("search_papers", query="time series", mode="lexical", has_code=True)
    assert found["results"] and {r["id"] for r in found["results"]} <= with_code


def test_daily_lists_the_day_as_the_day_page_does(client: McpClient, store: Store) -> None:
    newest = client.ok("daily")
    assert newest["day"] == NEWEST_DAY and newest["previous_day"] == "2026-06-29"
    feed = store.papers.feed(date(2026, 6, 30), date(2026, 6, 30), limit=50)
    assert newest["total"] == feed.total == 13
    assert [p["id"] for p in newest["papers"]] == [p.arxiv_id for p in feed.papers]
    assert [p["id"] for p in newest["picks"]] == ["2606.28926"]

    page = client.ok("daily", date="2026-06-29", limit=5, page=2, sort="votes")
    voted = store.papers.feed(date(2026, 6, 29), date(2026, 6, 29), limit=5, offset=5, sort="votes")
    assert [p["id"] for p in page["papers"]] == [p.arxiv_id for p in voted.papers]
    assert (page["page"], page["pages"], page["picks"]) == (2, 3, [])
    first = client.ok("daily", date="2026-06-29", sort="votes", limit=1)
    assert first["papers"][0]["id"] == HF_PAPER  # most upvoted first

    category = client.ok("daily", date=NEWEST_DAY, category="cs.IT")
    assert category["papers"] and all("cs.IT" in p["categories"] for p in category["papers"])
    empty = client.ok("daily", date="2026-06-28")  # a Sunday: nothing announced
    assert empty["total"] == 0 and empty["next_day"] == "2026-06-29"


def test_similar_papers_match_the_paper_page(
    client: McpClient, data_dir: Path, model_dir: Path, store: Store
) -> None:
    # The server's keyword searcher picks up the index as merged after the HF counts
    # re-indexed two papers, a second or so later (later on a loaded machine), and the
    # fusion uses BM25 scores, which move a little with the index: ask again until the
    # server reads the same index as this process, for at most 15 s.
    settings = Settings(data_dir=data_dir, model_dir=model_dir, background_indexing=False)
    expected = [p.arxiv_id for p, _ in SearchService(settings, store).similar(HF_PAPER, limit=5)]
    deadline = time.monotonic() + 15
    while True:
        answer = client.ok("similar_papers", arxiv_id=HF_PAPER, limit=5)
        got = [p["id"] for p in answer["papers"]]
        if got == expected or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert answer["basis"] == "embeddings and keywords"
    assert got == expected
    assert HF_PAPER not in set(got)


@pytest.mark.parametrize(
    ("tool", "arguments", "says"),
    [
        ("get_paper", {"arxiv_id": "2501.99999"}, "no paper with id 2501.99999"),
        ("get_paper", {"arxiv_id": "not an id"}, "not an arXiv identifier"),
        ("similar_papers", {"arxiv_id": "2501.99999"}, "no paper with id 2501.99999"),
        ("search_papers", {"query": "  "}, "the query must not be empty"),
        ("search_papers", {"query": "x", "limit": 500}, "less than or equal to 50"),
        ("search_papers", {"query": "x", "mode": "magic"}, "'hybrid', 'lexical' or 'semantic'"),
        ("search_papers", {"query": "year:20x5"}, "year: expects"),
        ("search_papers", {"query": "x", "date_from": "2026-02-30"}, "no such day"),
        ("trending", {"window": 3}, "Input should be 1, 7 or 30"),
        ("trending", {"limit": 0}, "greater than or equal to 1"),
        ("daily", {"date": "yesterday"}, "should match pattern"),
        ("daily", {"date": "2026-13-01"}, "invalid date"),
        ("daily", {"category": "no such/cat"}, "invalid category"),
        ("nope", {}, "Unknown tool"),
    ],
)
def test_bad_input_is_a_clear_tool_error(
    client: McpClient, tool: str, arguments: dict[str, Any], says: str
) -> None:
    assert says.lower() in client.error(tool, **arguments).lower()
    assert client.ok("daily", limit=1)["day"] == NEWEST_DAY  # still serving


def test_no_crash_was_logged(client: McpClient) -> None:
    client.ok("daily", limit=1)
    log = client.stderr.read_text()
    assert "Traceback" not in log and "unexpected exception" not in log


def _digest(folder: Path) -> str:
    sha = hashlib.sha256()
    for name in ("paperboy.db", "paperboy.db-wal"):
        path = folder / name
        if path.exists():
            sha.update(path.read_bytes())
    return sha.hexdigest()


def test_without_embeddings_search_says_so_and_nothing_is_written(
    tmp_path: Path, model_dir: Path
) -> None:
    """Papers just ingested: no keyword index yet, no embedding. The server indexes the
    keywords on the first search (a derived file), answers hybrid and semantic searches
    with keyword matches and says why, and never writes to the database."""
    folder = tmp_path / "data"
    folder.mkdir()
    store = Store.open(f"sqlite:///{folder / 'paperboy.db'}")
    assert ingest_jsonl(store, SMALL_PAPERS).added == 37
    store.close()
    before = _digest(folder)
    env = server_env(folder, model_dir)
    with running_server(env, tmp_path / "mcp.log") as client:
        for mode in ("hybrid", "semantic"):
            answer = client.ok("search_papers", query="cryptocurrency", mode=mode)
            assert answer["mode_used"] == "lexical"
            assert any("no paper has an embedding yet" in n for n in answer["notes"])
            assert answer["results"][0]["id"] == HF_PAPER
        similar = client.ok("similar_papers", arxiv_id=HF_PAPER, limit=3)
        assert similar["basis"].startswith("keywords only")
        assert len(similar["papers"]) == 3
        text = client.call("search_papers", query="cryptocurrency").content[0].text
        assert "Note: Semantic search is not ready" in text
    assert (folder / "index" / "lexical").is_dir()
    assert _digest(folder) == before


def test_a_data_folder_without_a_database_is_refused(tmp_path: Path) -> None:
    """A client started from another folder must not create an empty database there."""
    result = CliRunner().invoke(cli, ["mcp"], env={"PAPERBOY_DATA_DIR": str(tmp_path / "nope")})
    assert result.exit_code == 1
    assert f"no database at {tmp_path / 'nope' / 'paperboy.db'}" in result.output
    assert not (tmp_path / "nope").exists()
