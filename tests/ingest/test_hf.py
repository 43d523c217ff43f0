"""Hugging Face daily papers: the API (a real local server) and saved files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from paperboy.config import Settings
from paperboy.errors import SourceError
from paperboy.ingest.hf import ingest_hf_daily, ingest_hf_file
from paperboy.store import Store
from tests.ingest.source_server import FIXTURES, LocalServer

DAILY = FIXTURES / "hf-daily-papers-api.json"
JSON = {"Content-Type": "application/json; charset=utf-8"}


def test_daily_papers_from_the_api_keep_upvotes(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    body = DAILY.read_bytes()
    source_server.handler = lambda seen: (200, JSON, body)
    report = ingest_hf_daily(source_store, source_settings, date(2024, 2, 28))
    assert (report.added, report.skipped, report.error) == (3, [], None)
    (seen,) = source_server.requests("/api/daily_papers")
    assert seen.query == {"date": "2024-02-28"}

    bitnet = source_store.papers.get_paper("2402.17764")
    assert bitnet is not None
    assert bitnet.imported_upvotes == 553
    assert bitnet.title == "The Era of 1-bit LLMs: All Large Language Models are in 1.58 Bits"
    assert bitnet.authors[0] == "Shuming Ma" and len(bitnet.authors) == 10
    assert bitnet.announced == date(2024, 2, 28)  # the day it was on the daily page
    assert bitnet.links == {"huggingface": "https://huggingface.co/papers/2402.17764"}

    # HTML in a title is kept as text: escaping it is the job of whoever renders it.
    emo = source_store.papers.get_paper("2402.17485")
    assert emo is not None and emo.title.startswith("<b>EMO</b>: Emote Portrait Alive")
    assert emo.imported_upvotes == 176

    sora = source_store.papers.get_paper("2402.17177")
    assert sora is not None and "\n" not in sora.title

    again = ingest_hf_daily(source_store, source_settings, date(2024, 2, 28))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)


def test_bad_items_are_skipped_and_the_rest_kept(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    items = json.loads(DAILY.read_text())
    items[1]["paper"]["upvotes"] = -4
    items.append("not an object")
    source_server.handler = lambda seen: (200, JSON, json.dumps(items).encode())
    report = ingest_hf_daily(source_store, source_settings, date(2024, 2, 28))
    assert report.added == 2
    assert report.skipped == [
        ("item 2 (2402.17485)", "field 'upvotes' must be a non-negative integer"),
        ("item 4", "record is not a JSON object"),
    ]


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (200, b'{"error": "Invalid date"}', "expected a JSON list"),
        (200, b"<html>maintenance</html>", "not JSON"),
        (404, b"Not Found", "HTTP 404"),
    ],
)
def test_unusable_api_answers_raise(
    source_server: LocalServer,
    source_settings: Settings,
    source_store: Store,
    status: int,
    body: bytes,
    message: str,
) -> None:
    source_server.handler = lambda seen: (status, JSON, body)
    with pytest.raises(SourceError, match=message):
        ingest_hf_daily(source_store, source_settings, date(2024, 2, 28))


def test_files_json_list_and_jsonl(source_store: Store, tmp_path: Path) -> None:
    report = ingest_hf_file(source_store, DAILY)
    assert report.added == 3
    lines = tmp_path / "daily.jsonl"
    items = json.loads(DAILY.read_text())
    lines.write_text("".join(json.dumps(item) + "\n" for item in items))
    again = ingest_hf_file(source_store, lines)
    assert (again.added, again.unchanged) == (0, 3)
    paper = source_store.papers.get_paper("2402.17764")
    assert paper is not None and paper.imported_upvotes == 553
