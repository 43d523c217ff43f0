"""``paperboy ingest oai|arxiv|hf`` against the local source server."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperboy.cli import cli
from paperboy.store import Store
from tests.ingest.conftest import INTERVAL
from tests.ingest.source_server import (
    ATOM_SCIENCE,
    FIXTURES,
    HEP_EX,
    HEP_TH,
    XML,
    Answer,
    LocalServer,
    OaiPages,
    Seen,
    read_page,
)
from tests.support import require_shared


@pytest.fixture
def runner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source_server: LocalServer
) -> Iterator[CliRunner]:
    env = {
        "PAPERBOY_DATA_DIR": str(tmp_path / "data"),
        "PAPERBOY_REQUEST_INTERVAL": str(INTERVAL),
        "PAPERBOY_MAX_RETRIES": "1",
        "PAPERBOY_ARXIV_OAI_URL": f"{source_server.url}/oai2",
        "PAPERBOY_ARXIV_API_URL": f"{source_server.url}/api/query",
        "PAPERBOY_HF_DAILY_PAPERS_URL": f"{source_server.url}/api/daily_papers",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PAPERBOY_DATABASE_URL", raising=False)
    monkeypatch.delenv("PAPERBOY_CONFIG", raising=False)
    # The CLI points the root logger at the runner's (short-lived) stderr: restore it.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield CliRunner()
    root.handlers[:] = handlers
    root.setLevel(level)


def stored(tmp_path: Path) -> int:
    store = Store.open(f"sqlite:///{tmp_path / 'data' / 'paperboy.db'}")
    try:
        return store.papers.count_papers()
    finally:
        store.close()


def test_oai_harvest_then_rerun_from_the_watermark(
    runner: CliRunner, source_server: LocalServer, tmp_path: Path
) -> None:
    source_server.handler = OaiPages([read_page(HEP_EX), read_page(HEP_TH)])
    first = runner.invoke(cli, ["ingest", "oai", "--set", "physics:hep-ex", "--from", "2017-12-01"])
    assert first.exit_code == 0, first.output
    assert "6 added, 0 updated, 0 unchanged, 0 skipped" in first.stdout
    assert stored(tmp_path) == 6

    second = runner.invoke(cli, ["ingest", "oai", "--set", "physics:hep-ex", "--json"])
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["unchanged"] == 6
    queries = [s.query for s in source_server.requests("/oai2")]
    assert queries[0]["from"] == "2017-12-01" and queries[0]["set"] == "physics:hep-ex"
    assert queries[2]["from"] == "2017-12-14"  # the watermark of the first harvest


def test_oai_url_option(runner: CliRunner, source_server: LocalServer) -> None:
    source_server.handler = OaiPages([read_page(HEP_EX)])
    result = runner.invoke(
        cli, ["ingest", "oai", "--url", f"{source_server.url}/mirror/oai2", "--from", "2017-01-01"]
    )
    assert result.exit_code == 0, result.output
    assert [s.path for s in source_server.seen] == ["/mirror/oai2"]


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "2025-13-01"],
        ["--from", "yesterday"],
        ["--until", "2025-02-30"],
        ["--from", "2025-03-02", "--until", "2025-03-01"],
        ["--set", "cs physics"],
        ["--url", "ftp://example.org/oai2"],
        ["--set", "cs"],  # a first harvest without --from would fetch all of arXiv
    ],
)
def test_oai_bad_arguments_are_errors(
    runner: CliRunner, source_server: LocalServer, args: list[str]
) -> None:
    result = runner.invoke(cli, ["ingest", "oai", *args])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "Traceback" not in result.output
    assert source_server.seen == []


def test_oai_harvest_that_stops_early_exits_1_after_the_report(
    runner: CliRunner, source_server: LocalServer, tmp_path: Path
) -> None:
    pages = OaiPages([read_page(HEP_EX), read_page(HEP_TH)])

    def page_2_fails(seen: Seen) -> Answer | None:
        return (500, XML, b"boom") if seen.query.get("resumptionToken") else None

    pages.override = page_2_fails
    source_server.handler = pages
    result = runner.invoke(cli, ["ingest", "oai", "--set", "physics", "--from", "2017-01-01"])
    assert result.exit_code == 1
    assert "3 added" in result.stdout
    assert "Error: stopped early" in result.output and "a rerun resumes there" in result.output
    assert stored(tmp_path) == 3


def test_arxiv_ids_from_arguments_and_file(
    runner: CliRunner, source_server: LocalServer, tmp_path: Path
) -> None:
    body = require_shared(ATOM_SCIENCE).read_bytes()
    source_server.handler = lambda seen: (200, {}, body)
    id_file = tmp_path / "ids.txt"
    id_file.write_text("# papers to add\nquant-ph/0210005v1\n\n2501.00001\n")
    result = runner.invoke(
        cli,
        [
            "ingest",
            "arxiv",
            "1501.05039",
            "https://arxiv.org/abs/1503.01162",
            "--file",
            str(id_file),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "3 added, 0 updated, 0 unchanged, 1 skipped" in result.stdout
    assert "skipped 2501.00001: not in the arXiv API response" in result.stdout
    (seen,) = source_server.seen
    assert seen.query["id_list"] == "1501.05039,1503.01162,quant-ph/0210005v1,2501.00001"


@pytest.mark.parametrize("args", [["2501.00001", "hello"], [], ["--file", "missing.txt"]])
def test_arxiv_bad_ids_are_errors(
    runner: CliRunner, source_server: LocalServer, args: list[str]
) -> None:
    result = runner.invoke(cli, ["ingest", "arxiv", *args])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert source_server.seen == []


def test_hf_by_date_and_from_a_file(runner: CliRunner, source_server: LocalServer) -> None:
    daily = FIXTURES / "hf-daily-papers-api.json"
    body = daily.read_bytes()
    source_server.handler = lambda seen: (200, {"Content-Type": "application/json"}, body)
    by_option = runner.invoke(cli, ["ingest", "hf", "--date", "2024-02-28"])
    assert by_option.exit_code == 0, by_option.output
    assert "3 added" in by_option.stdout
    as_argument = runner.invoke(cli, ["ingest", "hf", "2024-02-28", "--json"])
    assert json.loads(as_argument.stdout)["unchanged"] == 3
    assert [s.query["date"] for s in source_server.seen] == ["2024-02-28", "2024-02-28"]
    from_file = runner.invoke(cli, ["ingest", "hf", str(daily)])
    assert from_file.exit_code == 0 and "3 unchanged" in from_file.stdout


@pytest.mark.parametrize("args", [[], ["--date", "2024-02-30"], ["x.json", "--date", "2024-02-28"]])
def test_hf_bad_arguments_are_errors(
    runner: CliRunner, source_server: LocalServer, args: list[str]
) -> None:
    result = runner.invoke(cli, ["ingest", "hf", *args])
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    assert source_server.seen == []
