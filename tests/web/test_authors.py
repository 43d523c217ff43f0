"""Author pages, their JSON and feeds, the links to them on every listing, and the
agreement between a page and the search's ``author:`` filter."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import feedparser
from fastapi.testclient import TestClient

from paperboy.search.query import parse_query
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web.api.schemas.authors import EXAMPLE_AUTHOR, AuthorOut
from tests.store.test_papers import rec

# Maëlle Gautrin (fixture paper 2606.28773) gets three more papers under other spellings.
EXTRA = [
    rec(
        "2606.90001",
        title="Timed games one",
        authors=["Maelle Gautrin", "Nathalie Bertrand"],
        categories=["cs.GT"],
        announced=date(2026, 6, 29),
    ),
    rec(
        "2606.90002",
        title="Timed games two",
        authors=["MAËLLE GAUTRIN", "Ada Lovelace"],
        categories=["cs.FL", "cs.GT"],
        announced=date(2025, 3, 3),
    ),
    rec(
        "2606.90003",
        title="Timed games three",
        authors=["M. Gautrin"],
        categories=["cs.LO"],
        announced=date(2026, 6, 30),
    ),
]


def _add(store: Store, search: SearchService) -> None:
    store.papers.upsert_papers(EXTRA)
    search.update(embed=False)


def test_author_page_lists_papers_coauthors_and_categories(
    client: TestClient, loaded_store: Store, search_service: SearchService
) -> None:
    _add(loaded_store, search_service)
    page = client.get("/author/" + quote("maelle gautrin"))
    assert page.status_code == 200
    html = page.text
    # Newest first: 2026-06-30 (the fixture paper and M. Gautrin's), then 06-29, then 2025.
    order = [html.index(a) for a in ("2606.90003", "2606.90001", "2606.90002")]
    assert order == sorted(order) and "2606.28773" in html
    assert "4 papers" in html
    assert "A name is not a person" in html
    assert 'href="/author/Nathalie%20Bertrand"' in html  # co-author, linked
    assert "Categories over time" in html and "2025" in html
    assert 'href="/feeds/author/maelle%20gautrin.rss"' in html


def test_api_agrees_with_the_search_filter(
    client: TestClient, loaded_store: Store, search_service: SearchService
) -> None:
    _add(loaded_store, search_service)
    for name in ("Maëlle Gautrin", "maelle-gautrin", "M. Gautrin", "MAELLE GAUTRIN"):
        answer = client.get("/api/authors/" + quote(name), params={"per_page": 100}).json()
        on_page = {p["id"] for p in answer["papers"]}
        assert on_page == {"2606.28773", "2606.90001", "2606.90002", "2606.90003"}, name
        found = search_service.search(parse_query(f'author:"{name}"'), mode="lexical", per_page=100)
        assert {h.paper.arxiv_id for h in found.hits} == on_page, name
    answer = client.get("/api/authors/Maelle Gautrin").json()
    AuthorOut.model_validate(answer)
    AuthorOut.model_validate(EXAMPLE_AUTHOR)  # the documented example is a valid answer
    assert set(answer) == set(EXAMPLE_AUTHOR)
    assert set(answer["papers"][0]) == set(EXAMPLE_AUTHOR["papers"][0])
    assert answer["total"] == 4 and answer["key"] == "maelle gautrin"
    assert set(answer["matched_names"]) == {"Maëlle Gautrin", "M. Gautrin"}  # one per key
    assert {c["name"]: c["papers"] for c in answer["coauthors"]}["Nathalie Bertrand"] == 2
    years = {y["year"]: y for y in answer["categories_by_year"]}
    assert years[2025]["categories"] == {"cs.FL": 1}
    assert "not a person" in answer["note"]


def test_paging_and_errors(
    client: TestClient, loaded_store: Store, search_service: SearchService
) -> None:
    _add(loaded_store, search_service)
    first = client.get("/api/authors/Maelle Gautrin", params={"per_page": 3}).json()
    second = client.get("/api/authors/Maelle Gautrin", params={"per_page": 3, "page": 2}).json()
    assert (first["pages"], first["next_page"], second["next_page"]) == (2, 2, None)
    assert len(first["papers"]) == 3 and len(second["papers"]) == 1
    assert not {p["id"] for p in first["papers"]} & {p["id"] for p in second["papers"]}
    missing = client.get("/api/authors/Nobody Atall")
    assert missing.status_code == 404 and missing.json()["error"]["status"] == 404
    assert client.get("/author/Nobody Atall").status_code == 404
    # An initial form that fits two full names says which they are.
    loaded_store.papers.upsert_papers(
        [rec("2606.90022", authors=["Karl Weier", "Kim Weier"], announced=date(2026, 6, 30))]
    )
    ambiguous = client.get("/api/authors/K. Weier")
    assert ambiguous.status_code == 404
    assert "2 do: Kim Weier, Karl Weier" in ambiguous.json()["error"]["detail"]
    assert client.get("/api/authors/" + "x" * 301).status_code == 422
    assert client.get("/api/authors/a", params={"per_page": 0}).status_code == 422


def test_author_feeds(
    client: TestClient, loaded_store: Store, search_service: SearchService
) -> None:
    _add(loaded_store, search_service)
    for ext in ("rss", "atom"):
        answer = client.get(f"/feeds/author/Maelle%20Gautrin.{ext}")
        assert answer.status_code == 200
        parsed = feedparser.parse(answer.content)
        assert not parsed.bozo, parsed.bozo_exception
        ids = [e.link.rsplit("/", 1)[-1] for e in parsed.entries]
        assert ids[-1] == "2606.90002" and len(ids) == 4
        assert "Maelle Gautrin" in parsed.feed.title
    assert client.get("/feeds/author/Nobody%20Atall.rss").status_code == 404


def test_every_listing_links_author_names(client: TestClient) -> None:
    escaped = quote("Maëlle Gautrin", safe="")
    for path in ("/day/2026-06-30", "/paper/2606.28773", "/search?q=timed+games"):
        html = client.get(path).text
        assert f'href="/author/{escaped}"' in html, path


def test_names_are_escaped_in_links(
    client: TestClient, loaded_store: Store, search_service: SearchService
) -> None:
    loaded_store.papers.upsert_papers(
        [rec("2606.90009", authors=['<b>Eve</b> "Quote" Smith/Jones'], announced=date(2026, 6, 30))]
    )
    html = client.get("/paper/2606.90009").text
    assert "<b>Eve</b>" not in html
    assert 'href="/author/%3Cb%3EEve%3C%20b%3E%20%22Quote%22%20Smith%20Jones"' in html
    page = client.get("/author/%3Cb%3EEve%3C%20b%3E%20%22Quote%22%20Smith%20Jones")
    assert page.status_code == 200 and "2606.90009" in page.text
