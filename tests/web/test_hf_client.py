"""The real ``huggingface_hub`` client against a real paperboy server on 127.0.0.1:
``HfApi(endpoint=<paperboy>)`` lists daily papers by date, week and month, sorted and by
submitter, searches papers and reads one paper. Nothing leaves 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from paperboy.config import Settings
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web.app import create_app
from tests.support import served

pytest.importorskip("huggingface_hub")

DAY = "2026-06-30"  # the newest listing day of the 37 fixture papers (13 papers)


@pytest.fixture
def hf_api(
    settings: Settings,
    loaded_store: Store,
    search_service: SearchService,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[object]:
    """An HfApi pointed at a real paperboy server; offline mode is lifted only for it (the
    library reads HF_HUB_OFFLINE once, at import), telemetry stays off."""
    from huggingface_hub import HfApi, constants

    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    with served(create_app(settings, loaded_store, search_service)) as base:
        yield HfApi(endpoint=base, token=False)


def test_list_daily_papers_by_date_week_month_sort_and_submitter(
    hf_api: object, loaded_store: Store
) -> None:
    from huggingface_hub import HfApi

    assert isinstance(hf_api, HfApi)
    day = list(hf_api.list_daily_papers(date=DAY))
    assert len(day) == 13
    assert all(p.id and p.title and p.published_at for p in day)
    upvotes = [p.upvotes or 0 for p in day]
    assert upvotes == sorted(upvotes, reverse=True)

    week = list(hf_api.list_daily_papers(week="2026-W27", limit=100))  # 29 Jun - 5 Jul
    month = list(hf_api.list_daily_papers(month="2026-06", limit=100))
    assert {p.id for p in day} <= {p.id for p in week} <= {p.id for p in month}
    assert (
        len(month)
        == loaded_store.papers.feed(
            datetime(2026, 6, 1).date(), datetime(2026, 6, 30).date(), limit=1
        ).total
    )

    newest = list(hf_api.list_daily_papers(month="2026-06", sort="publishedAt", limit=100))
    assert newest[0].id in {p.id for p in day}
    trending = list(hf_api.list_daily_papers(month="2026-06", sort="trending", limit=5, p=0))
    assert len(trending) == 5

    first = loaded_store.papers.get_paper(day[0].id)
    assert first is not None
    ada = loaded_store.accounts.create_user("ada@example.org", display_name="Ada L")
    loaded_store.submissions.add_submission(first.id, ada.id, now=datetime(2026, 6, 30, 9))
    mine = list(hf_api.list_daily_papers(month="2026-06", submitter="Ada L"))
    assert [p.id for p in mine] == [first.id and day[0].id]
    assert mine[0].submitted_by is not None and mine[0].submitted_by.fullname == "Ada L"
    assert list(hf_api.list_daily_papers(month="2026-06", submitter="nobody")) == []


def test_bad_periods_are_clear_http_errors(hf_api: object) -> None:
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    assert isinstance(hf_api, HfApi)
    for bad in ({"week": "2026-27"}, {"month": "June"}, {"date": DAY, "week": "2026-W27"}):
        with pytest.raises(HfHubHTTPError) as caught:
            list(hf_api.list_daily_papers(**bad))  # type: ignore[arg-type]
        assert caught.value.response.status_code == 422


def test_list_papers_searches_and_paper_info_reads_one(hf_api: object) -> None:
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    assert isinstance(hf_api, HfApi)
    some = next(iter(hf_api.list_daily_papers(date=DAY)))
    found = list(hf_api.list_papers(query=some.title, limit=5))
    assert found and some.id in [p.id for p in found]
    assert all(p.title and p.authors for p in found)

    info = hf_api.paper_info(some.id)
    assert info.id == some.id and info.title == some.title
    assert info.summary and info.discussion_id and info.published_at
    assert (info.upvotes or 0) == (some.upvotes or 0)
    # paperboy's own `authors` (names) stays as it was; HF's author objects are in `paper`.
    assert info.authors and [getattr(a, "name", a) for a in info.authors] == [
        a.name for a in some.authors or []
    ]
    with pytest.raises(HfHubHTTPError) as caught:
        hf_api.paper_info("2999.00001")
    assert caught.value.response.status_code == 404
