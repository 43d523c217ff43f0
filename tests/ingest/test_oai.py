"""OAI-PMH harvesting from a real local server that pages the recorded arXiv responses."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from paperboy.config import Settings
from paperboy.errors import InvalidInput
from paperboy.ingest.oai import harvest_oai, oai_state_key, parse_oai_page
from paperboy.ingest.records import next_weekday
from paperboy.store import Store
from tests.ingest.conftest import INTERVAL
from tests.ingest.source_server import (
    DROP,
    HEP_EX,
    HEP_TH,
    OAI_DIR,
    SAMPLE_12,
    XML,
    Answer,
    LocalServer,
    OaiPages,
    Seen,
    count_records,
    gaps,
    oai_error,
    read_page,
    with_deleted_record,
)

if not OAI_DIR.is_dir():  # every test here pages the recorded responses
    pytest.skip(f"shared data folder {OAI_DIR} is missing", allow_module_level=True)

SLACK = 0.05  # see test_http_client.py
FILES = [HEP_EX, HEP_TH, SAMPLE_12]
ALL = sum(count_records(path.read_bytes()) for path in FILES)


def standard_pages() -> OaiPages:
    return OaiPages([read_page(path) for path in FILES])


def edit_record(page: str, arxiv_id: str, edit: re.Pattern[str], replacement: str) -> str:
    """``page`` with ``edit`` replaced once inside the record of ``arxiv_id``."""
    parts = re.split(r"(?=<record>)", page)
    for i, part in enumerate(parts):
        if f"<id>{arxiv_id}</id>" in part:
            parts[i] = edit.sub(replacement, part, count=1)
            assert parts[i] != part
            return "".join(parts)
    raise AssertionError(f"{arxiv_id} not in page")


def oai_requests(server: LocalServer) -> list[Seen]:
    return server.requests("/oai2")


def state(store: Store, settings: Settings, set_spec: str | None = "physics") -> dict[str, object]:
    value = store.papers.get_state(oai_state_key(settings.arxiv_oai_url, set_spec))
    assert value is not None
    return value


def test_paging_harvest_stores_every_record_of_every_page(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    assert ALL == 18
    source_server.handler = standard_pages()
    report = harvest_oai(
        source_store, source_settings, set_spec="physics", from_date=date(2017, 1, 1)
    )
    assert (report.added, report.updated, report.unchanged, report.skipped) == (ALL, 0, 0, [])
    assert report.error is None
    assert source_store.papers.count_papers() == ALL

    seen = oai_requests(source_server)
    assert [s.query for s in seen] == [
        {"verb": "ListRecords", "metadataPrefix": "arXiv", "set": "physics", "from": "2017-01-01"},
        {"verb": "ListRecords", "resumptionToken": "p2"},
        {"verb": "ListRecords", "resumptionToken": "p3"},
    ]
    assert min(gaps(seen)) >= INTERVAL - SLACK

    saved = state(source_store, source_settings)
    assert saved["token"] is None
    assert saved["watermark"] == saved["max_datestamp"] == "2018-08-16"

    revised = source_store.papers.get_paper("1706.09418")  # has <updated>: a later version
    assert revised is not None
    assert revised.version is None
    assert revised.title == "R-Parity Violation at the LHC"
    assert revised.authors[:2] == ["Daniel Dercks", "Herbi Dreiner"]
    assert revised.categories == ["hep-ph", "hep-ex"] and revised.primary_category == "hep-ph"
    assert revised.doi == "10.1140/epjc/s10052-017-5414-4"
    assert revised.journal_ref == "Eur. Phys. J. C (2017) 77:856"
    assert revised.comment is not None and revised.comment.startswith("43 pages")
    assert revised.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert revised.submitted == datetime(2017, 6, 28)
    assert revised.updated == datetime(2017, 11, 26)
    assert revised.announced == next_weekday(date(2017, 6, 28))
    assert revised.abstract is not None and "\n" not in revised.abstract

    # Only v1, <arXiv> in the OAI namespace, a collaboration as first author.
    fresh = source_store.papers.get_paper("1601.03238")
    assert fresh is not None
    assert fresh.announced == date(2016, 1, 14)  # the datestamp
    assert fresh.updated is None
    assert fresh.authors[:2] == ["Planck Collaboration", "Jieci Wang"]


def test_parsing_details_of_recorded_records() -> None:
    several_dois = (OAI_DIR / "tests_unit_responses_arxiv_sample_arxiv_record0.xml").read_bytes()
    (record,) = parse_oai_page(several_dois).records
    assert record.doi == "10.1103/PhysRevD.93.016005"
    assert record.journal_ref == "Phys.Rev. D93 (2015) 016005"

    page = parse_oai_page(SAMPLE_12.read_bytes())
    by_id = {r.arxiv_id: r for r in page.records}
    assert len(by_id) == 12 and page.skipped == []
    assert by_id["1606.07066"].authors == ["Curtis J. Saxton Walton", "Ziri Younsi", "Kinwah Wu"]
    bicep = by_id["1603.05976"].authors
    assert (
        bicep is not None
        and ":" not in bicep
        and bicep[:3] == ["Keck Array", "BICEP2 Collaborations", "P. Ade"]
    )
    assert by_id["1512.07978"].announced == date(2015, 12, 29)  # datestamp, not next weekday

    # A v1-only record whose metadata was edited long after: the datestamp is no
    # announcement date any more.
    edited = SAMPLE_12.read_text().replace(
        "<datestamp>2018-08-16</datestamp>", "<datestamp>2021-02-03</datestamp>"
    )
    late = {r.arxiv_id: r for r in parse_oai_page(edited.encode()).records}["1808.04927"]
    assert late.announced == next_weekday(date(2018, 8, 14))


def test_503_with_retry_after_during_a_harvest(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    pages = standard_pages()
    throttled: list[Seen] = []

    def busy_once(seen: Seen) -> Answer | None:
        if seen.query.get("resumptionToken") == "p2" and not throttled:
            throttled.append(seen)
            return 503, {"Retry-After": "1"}, b"Retry after 1 second"
        return None

    pages.override = busy_once
    source_server.handler = pages
    report = harvest_oai(source_store, source_settings, set_spec="physics")
    assert report.error is None and report.added == ALL
    seen = oai_requests(source_server)
    assert [s.query.get("resumptionToken") for s in seen] == [None, "p2", "p2", "p3"]
    assert gaps(seen)[1] >= 1.0 - SLACK


def test_records_that_cannot_be_read_are_skipped_and_the_rest_kept(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    page2 = read_page(HEP_TH)
    page2 = edit_record(page2, "1412.8323", re.compile(r"<id>1412\.8323</id>"), "")
    page2 = edit_record(
        page2, "1507.07790", re.compile(r"<title>.*?</title>", re.S), "<title> </title>"
    )
    source_server.handler = OaiPages([read_page(HEP_EX), page2, read_page(SAMPLE_12)])
    report = harvest_oai(source_store, source_settings, set_spec="physics")
    assert report.error is None
    assert report.added == ALL - 2 == source_store.papers.count_papers()
    assert report.skipped == [
        ("1412.8323", "missing <id>"),
        ("1507.07790", "1507.07790: missing title"),
    ]
    assert source_store.papers.get_paper("1607.01710") is not None  # the good one of that page


def test_deleted_records_are_skipped_with_a_reason(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    source_server.handler = OaiPages([with_deleted_record(read_page(HEP_EX)), read_page(HEP_TH)])
    report = harvest_oai(source_store, source_settings, set_spec="physics")
    assert report.skipped == [("1709.00001", "deleted at the source")]
    assert report.added == 6 and source_store.papers.get_paper("1709.00001") is None


def test_malformed_page_stops_the_harvest_and_a_rerun_retries_it(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    good = [read_page(path) for path in FILES]
    broken = edit_record(good[1], "1507.07790", re.compile(r"</title>"), "</titel>")
    pages = OaiPages([good[0], broken, good[2]])
    source_server.handler = pages

    first = harvest_oai(source_store, source_settings, set_spec="physics")
    assert first.error is not None and "page at resumptionToken p2" in first.error
    assert "not well-formed" in first.error
    # Page 1, and the two readable records of the broken page 2, are stored.
    assert first.added == 3 + 2 == source_store.papers.count_papers()
    assert source_store.papers.get_paper("1507.07790") is None
    assert [where for where, _ in first.skipped] == [
        "record 2 of the page",
        "the page at resumptionToken p2",
    ]
    assert state(source_store, source_settings)["token"] == "p2"
    assert len(oai_requests(source_server)) == 2  # page 3 was never asked for

    pages.pages[1] = good[1]  # the server recovers
    before = len(oai_requests(source_server))
    second = harvest_oai(source_store, source_settings, set_spec="physics")
    assert second.error is None and second.skipped == []
    assert (second.added, second.unchanged) == (1 + 12, 2)
    assert source_store.papers.count_papers() == ALL
    tokens = [s.query.get("resumptionToken") for s in oai_requests(source_server)[before:]]
    assert tokens == ["p2", "p3"]


@pytest.mark.parametrize("failure", ["http-500", "dropped-connection"])
def test_crash_on_page_2_then_resume_without_refetching_page_1(
    source_server: LocalServer, source_settings: Settings, source_store: Store, failure: str
) -> None:
    pages = standard_pages()

    def page_2_fails(seen: Seen) -> Answer | None:
        if seen.query.get("resumptionToken") != "p2":
            return None
        return (500, XML, b"Internal Server Error") if failure == "http-500" else DROP

    pages.override = page_2_fails
    source_server.handler = pages
    first = harvest_oai(source_store, source_settings, set_spec="physics", until=date(2019, 1, 1))
    assert first.error is not None and "resumptionToken p2" in first.error
    assert ("HTTP 500" if failure == "http-500" else "failed (3 attempts)") in first.error
    assert first.added == 3 == source_store.papers.count_papers()
    saved = state(source_store, source_settings)
    assert saved["token"] == "p2" and saved["until"] == "2019-01-01"
    assert saved["watermark"] is None

    pages.override = None
    before = len(oai_requests(source_server))
    second = harvest_oai(source_store, source_settings, set_spec="physics", until=date(2019, 1, 1))
    assert second.error is None
    assert second.added == ALL - 3 and source_store.papers.count_papers() == ALL
    rerun = oai_requests(source_server)[before:]
    assert [s.query.get("resumptionToken") for s in rerun] == ["p2", "p3"]
    saved = state(source_store, source_settings)
    assert saved["token"] is None and saved["watermark"] == "2019-01-01"


def test_expired_token_restarts_from_the_stored_from(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    pages = standard_pages()
    pages.override = lambda seen: (
        (500, {}, b"down") if seen.query.get("resumptionToken") == "p2" else None
    )
    source_server.handler = pages
    first = harvest_oai(
        source_store, source_settings, set_spec="physics", from_date=date(2017, 1, 1)
    )
    assert first.error is not None

    rejected: list[Seen] = []

    def forgets_old_tokens(seen: Seen) -> Answer | None:
        if seen.query.get("resumptionToken") and not rejected:
            rejected.append(seen)
            return 200, XML, oai_error("badResumptionToken", "The value of the token is invalid")
        return None

    pages.override = forgets_old_tokens
    before = len(oai_requests(source_server))
    # Rerun without from_date: the unfinished harvest is resumed, with its own from.
    second = harvest_oai(source_store, source_settings, set_spec="physics")
    assert second.error is None
    assert (second.added, second.unchanged) == (ALL - 3, 3)
    rerun = oai_requests(source_server)[before:]
    assert [s.query.get("resumptionToken") for s in rerun] == ["p2", None, "p2", "p3"]
    assert rerun[1].query["from"] == "2017-01-01"


def test_completed_harvest_continues_from_its_watermark_and_reharvest_is_unchanged(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    source_server.handler = standard_pages()
    first = harvest_oai(source_store, source_settings, set_spec="physics")
    assert first.added == ALL
    assert "from" not in oai_requests(source_server)[0].query

    before = len(oai_requests(source_server))
    second = harvest_oai(source_store, source_settings, set_spec="physics")
    rerun = oai_requests(source_server)[before:]
    assert rerun[0].query["from"] == "2018-08-16"  # the newest datestamp seen
    assert (second.added, second.updated, second.unchanged) == (0, 0, ALL)

    # Another set has its own position.
    before = len(oai_requests(source_server))
    harvest_oai(source_store, source_settings, set_spec="cs")
    assert "from" not in oai_requests(source_server)[before].query


def test_no_records_match_is_an_empty_harvest(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    source_server.handler = lambda seen: (200, XML, oai_error("noRecordsMatch", "Nothing"))
    report = harvest_oai(
        source_store,
        source_settings,
        set_spec="physics",
        from_date=date(2030, 1, 1),
        until=date(2030, 1, 2),
    )
    assert report.error is None and report.seen == 0
    # A watermark never runs ahead of today: the next run must not skip what is
    # published until 2030.
    assert state(source_store, source_settings)["watermark"] == date.today().isoformat()


def test_empty_harvest_keeps_its_from_as_the_watermark(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    """Otherwise the next cron run, without --from, would fetch the whole set."""
    source_server.handler = lambda seen: (200, XML, oai_error("noRecordsMatch", "Nothing"))
    harvest_oai(source_store, source_settings, set_spec="cs", from_date=date(2026, 1, 5))
    assert state(source_store, source_settings, "cs")["watermark"] == "2026-01-05"
    harvest_oai(source_store, source_settings, set_spec="cs")
    assert oai_requests(source_server)[-1].query["from"] == "2026-01-05"


def test_other_oai_errors_stop_with_a_clear_message(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    source_server.handler = lambda seen: (
        200,
        XML,
        oai_error("badArgument", "Illegal argument: from"),
    )
    report = harvest_oai(source_store, source_settings, set_spec="physics")
    assert report.error == "OAI-PMH error badArgument on the first page: Illegal argument: from"
    assert source_store.papers.count_papers() == 0


def test_bad_arguments_are_refused_before_any_request(
    source_server: LocalServer, source_settings: Settings, source_store: Store
) -> None:
    with pytest.raises(InvalidInput, match="after"):
        harvest_oai(
            source_store, source_settings, from_date=date(2025, 2, 1), until=date(2025, 1, 1)
        )
    with pytest.raises(InvalidInput, match="set spec"):
        harvest_oai(source_store, source_settings, set_spec="cs&verb=Identify")
    assert oai_requests(source_server) == []
