"""Fetching papers by id from the arXiv API (Atom), served by a real local server."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from paperboy.config import Settings
from paperboy.errors import InvalidInput
from paperboy.ingest.atom import fetch_arxiv_ids, fetch_arxiv_records
from paperboy.store import Store
from tests.ingest.conftest import INTERVAL
from tests.ingest.source_server import ATOM_SCIENCE, FIXTURES, LocalServer, Seen, gaps
from tests.support import require_shared

ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}
MISSING = "not in the arXiv API response (no such paper?)"
SLACK = 0.05  # see test_http_client.py

# What the API answers for an id it cannot read: a feed with one "Error" entry.
ERROR_FEED = FIXTURES / "arxiv-api-error-entry.xml"


@pytest.fixture
def api(source_server: LocalServer) -> LocalServer:
    """The server answers every query with the recorded 10-entry response."""
    body = require_shared(ATOM_SCIENCE).read_bytes()
    source_server.handler = lambda seen: (200, ATOM, body)
    return source_server


def api_requests(server: LocalServer) -> list[Seen]:
    return server.requests("/api/query")


def test_fetch_by_ids_stores_them_and_reports_missing_ones(
    api: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    ids = [
        "1501.05039",
        "https://arxiv.org/abs/1503.01162v1",
        "quant-ph/0210005",
        "2501.00001",  # not in the response
    ]
    report = fetch_arxiv_ids(source_store, source_settings, ids)
    assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
    assert report.skipped == [("2501.00001", MISSING)] and report.error is None
    # Entries that were not asked for are not stored.
    assert source_store.papers.count_papers() == 3

    (seen,) = api_requests(api)
    assert seen.query == {
        "id_list": "1501.05039,1503.01162v1,quant-ph/0210005,2501.00001",
        "start": "0",
        "max_results": "4",
    }

    paper = source_store.papers.get_paper("1503.01162")
    assert paper is not None
    assert paper.version == 1
    assert paper.title.startswith("Report on a Boston University Conference December 7-8")
    assert paper.authors == ["Peter Garik", "Yann Benétreau-Dupin"]
    assert paper.categories == ["physics.ed-ph", "physics.hist-ph", "physics.soc-ph"]
    assert paper.primary_category == "physics.ed-ph"
    assert paper.doi == "10.1007/s11191-014-9716-8"
    assert paper.journal_ref == "Science & Education, September 2014, 23(9): 1853-1873"
    assert paper.comment == "Conference funded by NSF grant REESE-1205273. 31 pages"
    assert paper.links == {"pdf": "http://arxiv.org/pdf/1503.01162v1"}
    assert paper.submitted == datetime(2015, 3, 3, 23, 35, 54)
    assert paper.updated is None  # v1: <updated> equals <published>
    assert paper.announced == date(2015, 3, 4)  # next weekday after submission
    assert paper.abstract is not None and paper.abstract.startswith("This is an editorial")

    old_style = source_store.papers.get_paper("quant-ph/0210005")
    assert old_style is not None and old_style.categories == ["quant-ph"]

    again = fetch_arxiv_ids(source_store, source_settings, ids[:3])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)


def test_error_entry_is_reported_for_its_id(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    body = ERROR_FEED.read_bytes()
    source_server.handler = lambda seen: (200, ATOM, body)
    report = fetch_arxiv_ids(source_store, source_settings, ["1501.05039", "1234.56789v9"])
    assert report.added == 0
    assert report.skipped == [
        ("1234.56789v9", "API error: incorrect id format for 1234.56789v9"),
        ("1501.05039", MISSING),
    ]


def test_fetch_records_without_storing(api: LocalServer, source_settings: Settings) -> None:
    records, failures = fetch_arxiv_records(
        source_settings, ["0808.0631", "0808.0631v1", "9912.99999"]
    )
    assert [r.arxiv_id for r in records] == ["0808.0631"]
    (record,) = records
    assert record.doi == "10.1214/07-STS246B" and record.categories == ["stat.ME"]
    assert record.submitted == datetime(2008, 8, 5, 12, 22, 38, tzinfo=UTC)
    assert failures == [("9912.99999", MISSING)]
    assert api_requests(api)[0].query["id_list"] == "0808.0631,9912.99999"


def test_large_lists_go_100_ids_per_request(
    api: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    ids = [f"2401.{n:05d}" for n in range(1, 151)]
    report = fetch_arxiv_ids(source_store, source_settings, ids)
    assert len(report.skipped) == 150 and report.added == 0
    seen = api_requests(api)
    assert [s.query["max_results"] for s in seen] == ["100", "50"]
    assert seen[0].query["id_list"].split(",") == ids[:100]
    assert gaps(seen)[0] >= INTERVAL - SLACK


def test_bad_ids_are_refused_before_any_request(
    api: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    with pytest.raises(InvalidInput, match="not an arXiv identifier"):
        fetch_arxiv_ids(source_store, source_settings, ["1501.05039", "not-an-id"])
    assert api_requests(api) == []


def test_a_failing_api_is_reported(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    source_server.handler = lambda seen: (502, {}, b"Bad Gateway")
    report = fetch_arxiv_ids(source_store, source_settings, ["1501.05039"])
    assert report.error is not None and "HTTP 502" in report.error
    assert source_store.papers.count_papers() == 0
