"""The daily feed and paper pages, HTML and JSON, against the 37 fixture papers
(announced 2026-06-26, 2026-06-29 and 2026-06-30)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_home_shows_the_newest_day(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Tuesday, 30 June 2026" in page.text
    assert "13 papers" in page.text
    assert 'href="/day/2026-06-29"' in page.text  # previous day with papers
    assert page.text.count('class="paper-row"') == 13


def test_prev_and_next_skip_days_without_papers(client: TestClient) -> None:
    page = client.get("/day/2026-06-29")
    assert 'rel="prev" href="/day/2026-06-26"' in page.text
    assert 'rel="next" href="/day/2026-06-30"' in page.text
    empty = client.get("/day/2026-06-27")
    assert empty.status_code == 200 and "No papers in this period" in empty.text


def test_week_and_month_views(client: TestClient) -> None:
    week = client.get("/week/2026-07-01")  # any day of the week: Monday 29 June .. 5 July
    assert "Week of 29 June 2026" in week.text and "25 papers" in week.text
    month = client.get("/month/2026-06")
    assert "June 2026" in month.text and "37 papers" in month.text
    assert client.get("/month").status_code == 200
    assert "June 2026" in client.get("/month").text


def test_category_filter_includes_cross_listed_papers(client: TestClient) -> None:
    feed = client.get("/api/feed", params={"view": "month", "date": "2026-06", "cat": "cs.LG"})
    body = feed.json()
    assert body["total"] > 0
    assert all("cs.LG" in p["categories"] for p in body["papers"])
    assert any(p["primary_category"] != "cs.LG" for p in body["papers"])
    page = client.get("/month/2026-06?cat=cs.LG")
    assert f"{body['total']} papers in <strong>cs.LG</strong>" in page.text


def test_pagination(client: TestClient) -> None:
    first = client.get("/api/feed", params={"view": "month", "date": "2026-06-15", "limit": 10})
    second = client.get(
        "/api/feed", params={"view": "month", "date": "2026-06-15", "limit": 10, "page": 2}
    )
    a, b = first.json(), second.json()
    assert a["pages"] == 4 and a["total"] == 37
    assert not {p["id"] for p in a["papers"]} & {p["id"] for p in b["papers"]}


def test_api_feed_shape_has_no_internal_columns(client: TestClient) -> None:
    body = client.get("/api/feed").json()
    assert (body["view"], body["start"], body["prev"], body["next"]) == (
        "day",
        "2026-06-30",
        "2026-06-29",
        None,
    )
    paper = body["papers"][0]
    for hidden in ("content_hash", "first_seen", "last_changed", "imported_upvotes"):
        assert hidden not in paper
    assert paper["links"]["abs"] == f"https://arxiv.org/abs/{paper['id']}"
    assert paper["url"] == f"http://testserver/paper/{paper['id']}"


def test_paper_page_and_api(client: TestClient) -> None:
    feed = client.get("/api/feed").json()
    arxiv_id = feed["papers"][-1]["id"]
    page = client.get(f"/paper/{arxiv_id}")
    assert page.status_code == 200
    assert f"https://arxiv.org/abs/{arxiv_id}" in page.text
    assert f"https://arxiv.org/pdf/{arxiv_id}" in page.text
    assert client.get(f"/paper/{arxiv_id}v3").status_code == 200  # versions resolve
    api = client.get(f"/api/papers/{arxiv_id}").json()
    assert api["id"] == arxiv_id and api["title"] == feed["papers"][-1]["title"]
    assert api["authors"] and api["abstract"]


def test_html_in_titles_and_abstracts_renders_as_text(client: TestClient) -> None:
    for url in ("/paper/2606.99901", "/day/2026-06-30"):
        html = client.get(url).text
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html
        assert "<img src=x" not in html
        assert "<i>Lovelace</i>" not in html and "Ada &lt;i&gt;Lovelace&lt;/i&gt;" in html
    assert "javascript:alert" not in client.get("/paper/2606.99901").text.replace(
        "&lt;a href=&#39;javascript:alert(1)&#39;&gt;", ""
    )


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/papers/2401.99999", 404),
        ("/api/papers/not-an-id", 404),
        ("/api/feed?date=2026-02-30", 422),
        ("/api/feed?date=yesterday", 422),
        ("/api/feed?view=year", 422),
        ("/api/feed?page=0", 422),
        ("/api/feed?limit=100000", 422),
        ("/api/feed?cat=cs.LG%3Bdrop", 422),
        ("/api/feed?view=month&date=9999-12", 422),
        ("/api/feed?view=week&date=9999-12-31", 422),
        ("/api/nothing-here", 404),
    ],
)
def test_api_errors_have_one_shape(client: TestClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert body["error"]["title"] and body["error"]["detail"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/paper/2401.99999", 404),
        ("/day/2026-99-01", 422),
        ("/month/26-06", 422),
        ("/month/9999-12", 422),
        ("/week/9999-12-31", 422),
        ("/x", 404),
    ],
)
def test_html_errors_are_pages(client: TestClient, url: str, status: int) -> None:
    response = client.get(url, headers={"accept": "text/html"})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert f"{status} ·" in response.text


def test_empty_database_explains_how_to_load_papers(empty_client: TestClient) -> None:
    page = empty_client.get("/")
    assert page.status_code == 200 and "paperboy ingest demo" in page.text
    assert empty_client.get("/api/feed").json()["total"] == 0


def test_oversized_body_is_refused(client: TestClient) -> None:
    response = client.post("/api/feed", content=b"x" * 2_000_000)
    assert response.status_code == 413
    assert response.json()["error"]["status"] == 413


def test_security_headers_and_no_external_resources(client: TestClient) -> None:
    page = client.get("/")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "http://" not in page.text.split("<main")[0].replace("http://testserver", "")
    assert "https://cdn" not in page.text
    assert client.get("/static/style.css").status_code == 200


def test_openapi_documents_the_api(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert {"/api/feed", "/api/papers/{arxiv_id}"} <= set(schema["paths"])
    assert "ErrorOut" in schema["components"]["schemas"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "cdn." not in docs.text and "https://" not in docs.text
    assert docs.headers["x-frame-options"] == "DENY"
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_new_papers_show_without_restart(client: TestClient) -> None:
    from paperboy.ingest.records import make_record
    from paperboy.store import Store

    store: Store = client.app.state.store  # type: ignore[attr-defined]
    from datetime import date

    store.papers.upsert_papers(
        [make_record("2607.00001", "Fresh paper", source="test", announced=date(2026, 7, 1))]
    )
    assert "Fresh paper" in client.get("/").text


def test_health(client: TestClient) -> None:
    assert client.get("/api/health").json() == {
        "status": "ok",
        "papers": 37,
        "latest_day": "2026-06-30",
    }
