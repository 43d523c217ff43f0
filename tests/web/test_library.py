"""The library through the app: readers signed in by the real emailed link (aiosmtpd),
the JS-free forms, the JSON API, export (BibTeX read back by the import parser, JSON),
import of ids and .bib files with the arXiv API played by the real local HTTP server of
the source tests, escaping of readers' text, and privacy between readers."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient

from paperboy.config import Settings
from paperboy.library.bibtex import arxiv_id_of, parse_bibtex
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import create_app
from tests.accounts.conftest import Mailbox, make_settings
from tests.accounts.conftest import mailbox as mailbox  # fixture: a real SMTP server
from tests.accounts.test_sign_in import csrf_of, sign_in
from tests.ingest.conftest import arxiv_stand_in
from tests.ingest.conftest import source_server as source_server  # fixture: local arXiv
from tests.ingest.source_server import DROP, Answer, LocalServer, Seen
from tests.web.test_submissions import RECENT_ID, play_arxiv

PAPER = "2606.28374"  # announced 2026-06-30 in the fixture papers
OTHER = "2606.28354"
EVIL = "2606.99901"  # a fixture paper whose title and authors carry HTML
DAY = "2026-06-30"
BOGUS = "2611.99999"  # arXiv (the local stand-in) does not know it


@pytest.fixture
def app_settings(
    settings: Settings, mailbox: tuple[Mailbox, int], source_server: LocalServer
) -> Settings:
    source_server.handler = play_arxiv
    return make_settings(
        settings.data_dir,
        mailbox[1],
        model_dir=settings.model_dir,
        **arxiv_stand_in(source_server),
        library_import_max_ids=6,
        library_import_max_bytes=2048,
    )


@pytest.fixture
def app_and_clients(
    app_settings: Settings,
    loaded_store: Store,
    search_service: SearchService,
    mailbox: tuple[Mailbox, int],
) -> Iterator[tuple[TestClient, TestClient, TestClient]]:
    """(reader, another reader, signed out), all on one app."""
    app = create_app(app_settings, loaded_store, search_service)
    with (
        TestClient(app, follow_redirects=False) as reader,
        TestClient(app, follow_redirects=False) as other,
        TestClient(app, follow_redirects=False) as anon,
    ):
        sign_in(reader, mailbox[0], "reader@example.org")
        sign_in(other, mailbox[0], "other@example.org")
        yield reader, other, anon


@pytest.fixture
def reader(app_and_clients: tuple[TestClient, TestClient, TestClient]) -> TestClient:
    return app_and_clients[0]


def token(client: TestClient) -> str:
    return csrf_of(client.get("/library").text)


def api(client: TestClient, method: str, path: str, **kwargs: object) -> tuple[int, object]:
    answer = client.request(
        method,
        path,
        headers={"X-CSRF-Token": token(client)},
        **kwargs,  # type: ignore[arg-type]
    )
    body = answer.json() if answer.content else None
    return answer.status_code, body


def row_of(html: str, arxiv_id: str) -> str:
    """The listing row (``<li class="paper-row...">``) of a paper."""
    for row in re.findall(r'<li class="paper-row.*?</li>', html, re.S):
        if f'href="/paper/{arxiv_id}"' in row:
            return str(row)
    raise AssertionError(f"no row for {arxiv_id}")


def save_form(client: TestClient, arxiv_id: str, next_path: str, **fields: str) -> tuple[int, str]:
    answer = client.post(
        f"/paper/{arxiv_id}/save",
        data={"csrf_token": token(client), "next": next_path, **fields},
    )
    return answer.status_code, answer.headers.get("location", "")


def test_save_from_a_listing_into_a_new_collection_and_remove(reader: TestClient) -> None:
    day = reader.get(f"/day/{DAY}?cat=cs.AI").text
    row = row_of(day, PAPER)
    assert "☆ Save" in row and f'action="/paper/{PAPER}/save"' in row
    back = f"/day/{DAY}?cat=cs.AI"
    assert save_form(reader, PAPER, back, new_collection="Reading group") == (303, back)
    assert "★ Saved" in row_of(reader.get(back).text, PAPER)
    paper_page = reader.get(f"/paper/{PAPER}").text
    assert "★ Saved" in paper_page and '<option value="Reading group">' in paper_page
    found = reader.get("/search", params={"q": "Recursive Self-Evolving Agents"}).text
    assert "★ Saved" in row_of(found, PAPER)
    # the chosen collection, spelled differently, is the same collection
    save_form(reader, OTHER, back, collection="", new_collection="READING GROUP")
    library = reader.get("/library?tag=reading+group").text
    assert f'href="/paper/{PAPER}"' in library and f'href="/paper/{OTHER}"' in library
    assert re.search(r"Reading group <span class=\"n\">2</span>", library)
    assert "READING GROUP" not in library
    # a foreign "next" goes back to the paper instead
    assert save_form(reader, PAPER, "https://evil.example/")[1] == f"/paper/{PAPER}"
    answer = reader.post(
        f"/paper/{PAPER}/unsave", data={"csrf_token": token(reader), "next": "/library"}
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/library")
    assert f'href="/paper/{PAPER}"' not in reader.get("/library").text
    assert "☆ Save" in row_of(reader.get(back).text, PAPER)


def test_signed_out_readers_are_sent_to_sign_in(
    app_and_clients: tuple[TestClient, TestClient, TestClient],
) -> None:
    anon = app_and_clients[2]
    answer = anon.get("/library?tag=x")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=%2Flibrary%3Ftag%3Dx"
    assert anon.get("/library/import").headers["location"] == "/signin?next=%2Flibrary%2Fimport"
    assert anon.get("/library/export.bib").status_code == 303
    page = anon.get(f"/paper/{PAPER}").text
    assert "sign in to save" in page and f"/paper/{PAPER}/save" not in page
    assert "/save" not in row_of(anon.get(f"/day/{DAY}").text, PAPER)  # rows stay compact
    saved = anon.post(
        f"/paper/{PAPER}/save",
        data={"csrf_token": csrf_of(anon.get("/signin").text), "next": f"/day/{DAY}"},
    )
    assert saved.headers["location"] == "/signin?next=%2Fday%2F2026-06-30"
    answer = anon.get("/api/library")
    assert answer.status_code == 401 and answer.json() == {
        "error": {"status": 401, "title": "Sign in required", "detail": "sign in first"}
    }
    assert "Library" not in re.sub(r"<main.*", "", page, flags=re.S)  # no nav link


def test_notes_collections_filters_and_escaping(reader: TestClient) -> None:
    evil_note = "<script>alert('note')</script> & more"
    evil_tag = '<b onmouseover="x">bold</b>'
    assert api(reader, "PUT", f"/api/library/{PAPER}", json={"tags": ["Agents"]})[0] == 201
    api(reader, "PUT", f"/api/library/{EVIL}", json={"tags": [evil_tag], "note": evil_note})
    api(reader, "PUT", f"/api/library/{OTHER}", json={"note": "limits of hallucination"})
    html = reader.get("/library").text
    for raw in ("<script>alert", "<b onmouseover", "<i>Lovelace"):
        assert raw not in html
    assert "&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt; &amp; more" in html
    assert "&lt;b onmouseover=&#34;x&#34;&gt;bold&lt;/b&gt;" in html
    paper_page = reader.get(f"/paper/{EVIL}").text
    assert "<script>alert" not in paper_page and "<b onmouseover" not in paper_page
    assert "&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt; &amp; more" in paper_page
    # text filter: title, authors or note; every word
    assert re.findall(r'<h3 class="paper-title"><a href="/paper/([^"]+)"', html) == [
        OTHER,
        EVIL,
        PAPER,
    ]
    found = reader.get("/library", params={"q": "HALLUCINATION limits"}).text
    assert f'href="/paper/{OTHER}"' in found and f'href="/paper/{PAPER}"' not in found
    by_author = reader.get("/library", params={"q": "nguyen"}).text
    assert f'href="/paper/{PAPER}"' in by_author and f'href="/paper/{OTHER}"' not in by_author
    in_tag = reader.get("/library", params={"tag": "agents", "sort": "title"}).text
    assert f'href="/paper/{PAPER}"' in in_tag and f'href="/paper/{EVIL}"' not in in_tag
    assert reader.get("/library", params={"sort": "votes"}).status_code == 422
    # edit the note and the collections with the page's forms
    done = reader.post(
        f"/paper/{PAPER}/note",
        data={"csrf_token": token(reader), "note": "read §3 again", "next": "/library?q=x"},
    )
    assert (done.status_code, done.headers["location"]) == (303, "/library?q=x")
    reader.post(
        f"/paper/{PAPER}/collections",
        data={
            "csrf_token": token(reader),
            "collection": ["Agents", evil_tag],
            "new_collection": "Thesis",
        },
    )
    status, item = api(reader, "GET", f"/api/library/{PAPER}")
    assert status == 200 and isinstance(item, dict)
    assert item["note"] == "read §3 again"
    assert sorted(item["tags"]) == sorted(["Agents", evil_tag, "Thesis"])
    reader.post(f"/paper/{PAPER}/collections", data={"csrf_token": token(reader)})
    assert api(reader, "GET", f"/api/library/{PAPER}")[1]["tags"] == []  # type: ignore[index]
    too_long = reader.post(
        f"/paper/{PAPER}/save", data={"csrf_token": token(reader), "new_collection": "x" * 65}
    )
    assert too_long.status_code == 422 and "at most 64" in too_long.text


def test_api_save_update_list_and_delete(reader: TestClient) -> None:
    assert reader.put(f"/api/library/{PAPER}", json={}).status_code == 403  # no CSRF token
    status, item = api(reader, "PUT", f"/api/library/{PAPER}", json={"tags": ["ML", "ml"]})
    assert status == 201 and isinstance(item, dict)
    assert item["tags"] == ["ML"] and item["note"] is None and item["paper"]["id"] == PAPER
    status, item = api(reader, "PUT", f"/api/library/{PAPER}v2", json={"note": "  n  "})
    assert status == 200 and item["tags"] == ["ML"] and item["note"] == "n"  # type: ignore[index]
    api(reader, "PUT", f"/api/library/{OTHER}", json={"tags": ["Theory"]})
    api(reader, "PUT", f"/api/library/{EVIL}", json={})
    status, page = api(reader, "GET", "/api/library", params={"limit": 2})
    assert status == 200 and isinstance(page, dict)
    assert page["total"] == 3 and [i["paper"]["id"] for i in page["items"]] == [EVIL, OTHER]
    assert page["collections"] == [{"name": "ML", "count": 1}, {"name": "Theory", "count": 1}]
    rest = api(reader, "GET", "/api/library", params={"limit": 2, "offset": 2})[1]
    assert [i["paper"]["id"] for i in rest["items"]] == [PAPER]  # type: ignore[index]
    only = api(reader, "GET", "/api/library", params={"tag": "theory"})[1]
    assert [i["paper"]["id"] for i in only["items"]] == [OTHER]  # type: ignore[index]
    assert api(reader, "GET", "/api/library", params={"sort": "nope"})[0] == 422
    assert api(reader, "PUT", f"/api/library/{PAPER}", json={"tags": ["x" * 65]})[0] == 422
    assert api(reader, "PUT", f"/api/library/{PAPER}", json={"colour": "red"})[0] == 422
    assert api(reader, "PUT", "/api/library/2501.00000", json={})[0] == 404
    assert api(reader, "DELETE", f"/api/library/{PAPER}")[0] == 204
    assert api(reader, "DELETE", f"/api/library/{PAPER}")[0] == 404
    assert api(reader, "GET", f"/api/library/{PAPER}")[0] == 404
    schema = reader.get("/api/openapi.json").json()
    put = schema["paths"]["/api/library/{arxiv_id}"]["put"]
    assert put["tags"] == ["library"] and "201" in put["responses"]
    examples = schema["components"]["schemas"]["LibraryItemIn"]["examples"]
    assert examples[0]["tags"] == ["Reading group"]


def test_other_readers_cannot_see_or_change_your_library(
    app_and_clients: tuple[TestClient, TestClient, TestClient],
) -> None:
    reader, other, _ = app_and_clients
    api(reader, "PUT", f"/api/library/{PAPER}", json={"tags": ["Secret"], "note": "my idea"})
    assert api(other, "GET", "/api/library")[1]["total"] == 0  # type: ignore[index]
    assert api(other, "GET", f"/api/library/{PAPER}")[0] == 404
    assert api(other, "DELETE", f"/api/library/{PAPER}")[0] == 404
    page = other.get("/library").text
    assert "my idea" not in page and "Secret" not in page
    assert "my idea" not in other.get("/library/export.json").text
    assert "Secret" not in other.get(f"/paper/{PAPER}").text  # not in the Save menu either
    own = reader.get(f"/paper/{PAPER}").text  # the paper page shows the reader's own note
    assert "In your library since" in own and '<p class="library-note">my idea</p>' in own
    assert "In your library since" not in other.get(f"/paper/{PAPER}").text
    other.post(f"/paper/{PAPER}/note", data={"csrf_token": token(other), "note": "hijack"})
    status, item = api(reader, "GET", f"/api/library/{PAPER}")
    assert status == 200 and item["note"] == "my idea"  # type: ignore[index]


def test_export_bibtex_and_json(reader: TestClient, loaded_store: Store) -> None:
    for arxiv_id in (PAPER, OTHER, EVIL):
        api(reader, "PUT", f"/api/library/{arxiv_id}", json={"tags": ["Export"], "note": "n%1"})
    api(reader, "PUT", "/api/library/2606.26139", json={"tags": ["Elsewhere"]})
    answer = reader.get("/library/export.bib", params={"tag": "export"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/x-bibtex")
    assert 'filename="paperboy-library-export.bib"' in answer.headers["content-disposition"]
    entries = parse_bibtex(answer.text)
    assert [arxiv_id_of(e) for e in entries] == [PAPER, OTHER, EVIL]  # oldest saved first
    assert len({e.key for e in entries}) == 3
    first = entries[0]
    paper = loaded_store.papers.get_paper(PAPER)
    assert paper is not None and paper.primary_category
    assert first.kind == "misc" and first.key == "nguyen2026recursive"
    assert first.fields["eprint"] == PAPER and first.fields["archiveprefix"] == "arXiv"
    assert first.fields["primaryclass"] == paper.primary_category
    assert first.fields["author"] == "Michael Nguyen and Quoc Nguyen and Paul Vuong"
    assert first.fields["year"] == "2026"
    assert first.fields["url"] == f"https://arxiv.org/abs/{PAPER}"
    assert "annote" not in first.fields  # private notes only on request
    evil = entries[2]
    assert r"Bob \& Co" in evil.fields["author"] and "<script>" in evil.fields["title"]
    with_notes = parse_bibtex(reader.get("/library/export.bib?notes=true").text)
    assert {e.fields.get("annote") for e in with_notes} == {r"n\%1", None}
    everything = reader.get("/library/export.json").json()
    assert everything["count"] == 4 and everything["collection"] is None
    exported = reader.get("/library/export.json", params={"tag": "Export"}).json()
    # The entries have the API's shape (LibraryItemOut), the one shape of a saved paper.
    assert [p["paper"]["id"] for p in exported["papers"]] == [PAPER, OTHER, EVIL]
    assert exported["papers"][0]["note"] == "n%1" and exported["papers"][0]["tags"] == ["Export"]
    title = exported["papers"][2]["paper"]["title"]
    assert title == unescape(title)
    listed_items = api(reader, "GET", "/api/library", params={"tag": "Export"})[1]
    by_id = {i["paper"]["id"]: i for i in listed_items["items"]}  # type: ignore[index]
    assert all(by_id[p["paper"]["id"]] == p for p in exported["papers"])


def import_form(client: TestClient, **fields: object) -> tuple[int, str]:
    files = fields.pop("files", None)
    answer = client.post(
        "/library/import",
        data={"csrf_token": token(client), **fields},
        files=files,  # type: ignore[arg-type]
    )
    return answer.status_code, answer.text


def listed(html: str, kind: str) -> list[str]:
    block = re.search(rf'<ul class="import-{kind}">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", block.group(1)) if block else []


def test_import_ids_fetches_unknown_ones_and_lists_the_rest(
    reader: TestClient, loaded_store: Store, source_server: LocalServer
) -> None:
    api(reader, "PUT", f"/api/library/{OTHER}", json={})
    pasted = f"{PAPER}\nhttps://arxiv.org/abs/{OTHER}v2, {RECENT_ID} {BOGUS}; not-an-id {PAPER}"
    status, html = import_form(reader, ids=pasted, new_collection="Imported")
    assert status == 200
    assert listed(html, "imported") == [PAPER, RECENT_ID]
    assert listed(html, "already") == [OTHER]
    assert listed(html, "not-found") == [
        "not-an-id (not an arXiv id)",
        f"{BOGUS} (arXiv does not know it)",
    ]
    assert listed(html, "failed") == []
    asked = [s.query["id_list"] for s in source_server.requests("/api/query")]
    assert asked == [f"{RECENT_ID},{BOGUS}"]  # only the papers paperboy did not have
    fetched = loaded_store.papers.get_paper(RECENT_ID)
    assert fetched is not None and fetched.title.startswith("Sparse Mixture Routing")
    items = api(reader, "GET", "/api/library", params={"tag": "imported"})[1]
    assert sorted(i["paper"]["id"] for i in items["items"]) == sorted(  # type: ignore[index]
        [PAPER, OTHER, RECENT_ID]
    )


def test_import_bibtex_file(reader: TestClient) -> None:
    bib = (
        "% exported elsewhere\n"
        '@string{arx = "arXiv preprint"}\n'
        f"@article{{nguyen2026,\n  title={{Recursive {{Self}}-Evolving Agents}},\n"
        f"  journal={{arXiv preprint arXiv:{PAPER}}},\n  year={{2026}}\n}}\n"
        f'@misc{{x, eprint = "{OTHER}v1", archivePrefix = "arXiv", title = "Q"}}\n'
        "@inproceedings{vaswani2017attention, title={Attention is all you need},"
        " booktitle={NeurIPS}, year={2017}}\n"
        f"@online{{y, url = {{https://arxiv.org/pdf/{RECENT_ID}v1}}}}\n"
    )
    files = {"bibfile": ("refs.bib", bib.encode(), "text/x-bibtex")}
    status, html = import_form(reader, files=files, collection="")
    assert status == 200
    assert listed(html, "imported") == [PAPER, OTHER, RECENT_ID]
    assert listed(html, "not-found") == ["vaswani2017attention (no arXiv id)"]
    big = {"bibfile": ("big.bib", b"%" * 3000, "text/x-bibtex")}
    status, html = import_form(reader, files=big)
    assert status == 422 and "larger than 2 kB" in html


def test_import_limits_and_arxiv_outage(reader: TestClient, source_server: LocalServer) -> None:
    many = " ".join(f"2606.2{n:04d}" for n in range(7))
    status, html = import_form(reader, ids=many)
    assert status == 422 and "At most 6 papers per import; this one names 7" in html
    assert import_form(reader, ids="   ")[0] == 422

    def down(_seen: Seen) -> Answer:
        return DROP

    source_server.handler = down
    status, html = import_form(reader, ids=f"{PAPER} {RECENT_ID}")
    assert status == 200
    assert listed(html, "imported") == [PAPER]
    assert listed(html, "failed") == [f"{RECENT_ID} (arXiv could not be reached; try again later)"]

    # arXiv asks us to wait: the import answers at once, the papers it has are saved and
    # the others are listed as failed with when to try again.
    time.sleep(0.4)  # past the stand-in's request interval
    source_server.handler = lambda seen: (503, {"Retry-After": "60"}, b"busy")
    started = time.monotonic()
    status, html = import_form(reader, ids=f"{OTHER} {RECENT_ID}")
    assert status == 200 and time.monotonic() - started < 2
    assert listed(html, "imported") == [OTHER]
    assert listed(html, "failed") == [f"{RECENT_ID} (arXiv is busy; import it again in 60 s)"]


def test_api_with_a_bearer_token(
    app_and_clients: tuple[TestClient, TestClient, TestClient], loaded_store: Store
) -> None:
    """A script with a personal API token (no cookie, no CSRF token) uses the same routes."""
    reader, _, anon = app_and_clients
    user = loaded_store.accounts.get_user_by_email("reader@example.org")
    assert user is not None
    _, plaintext = loaded_store.tokens.create_token(user.id, "api", "script")
    bearer = {"Authorization": f"Bearer {plaintext}"}
    anon.cookies.clear()
    saved = anon.put(f"/api/library/{PAPER}", json={"tags": ["Script"]}, headers=bearer)
    assert saved.status_code == 201 and saved.json()["tags"] == ["Script"]
    listed_items = anon.get("/api/library", headers=bearer).json()
    assert [i["paper"]["id"] for i in listed_items["items"]] == [PAPER]
    assert api(reader, "GET", f"/api/library/{PAPER}")[1]["tags"] == ["Script"]  # type: ignore[index]
    assert anon.delete(f"/api/library/{PAPER}", headers=bearer).status_code == 204
    wrong = anon.get("/api/library", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_rename_and_delete_a_collection(reader: TestClient) -> None:
    api(reader, "PUT", f"/api/library/{PAPER}", json={"tags": ["Agents"]})
    api(reader, "PUT", f"/api/library/{OTHER}", json={"tags": ["Theory"]})
    page = reader.get("/library?tag=agents").text
    assert "Rename or delete “Agents”" in page
    renamed = reader.post(
        "/library/collections/rename",
        data={"csrf_token": token(reader), "name": "Agents", "new_name": "theory"},
    )
    assert renamed.headers["location"] == "/library?tag=Theory"  # merged into Theory
    items = api(reader, "GET", "/api/library", params={"tag": "Theory"})[1]
    assert items["total"] == 2  # type: ignore[index]
    deleted = reader.post(
        "/library/collections/delete", data={"csrf_token": token(reader), "name": "THEORY"}
    )
    assert deleted.headers["location"] == "/library"
    everything = api(reader, "GET", "/api/library")[1]
    assert everything["total"] == 2 and everything["collections"] == []  # type: ignore[index]


def test_the_save_control_script_gets_json(reader: TestClient) -> None:
    """static/library.js posts the same forms asking for JSON and updates the page."""
    headers = {"Accept": "application/json", "X-CSRF-Token": token(reader)}
    saved = reader.post(f"/paper/{PAPER}/save", data={"new_collection": "Later"}, headers=headers)
    assert saved.status_code == 200
    assert saved.json() == {"id": PAPER, "saved": True, "tags": ["Later"], "collections": ["Later"]}
    refused = reader.post(
        f"/paper/{PAPER}/save", data={"new_collection": "x" * 65}, headers=headers
    )
    assert refused.status_code == 422 and "at most 64" in refused.json()["error"]["detail"]
    removed = reader.post(f"/paper/{PAPER}/unsave", headers=headers)
    assert removed.json() == {"id": PAPER, "saved": False, "tags": [], "collections": []}
    page = reader.get(f"/paper/{PAPER}").text
    assert 'src="/static/library.js' in page
    assert re.search(
        r'<form class="unsave-form" action="/paper/[^"]+/unsave" method="post" hidden>', page
    )


def test_export_of_a_collection_named_in_any_script(reader: TestClient) -> None:
    api(reader, "PUT", f"/api/library/{PAPER}", json={"tags": ["機械学習"]})
    for fmt in ("bib", "json"):
        answer = reader.get(f"/library/export.{fmt}", params={"tag": "機械学習"})
        assert answer.status_code == 200
        disposition = answer.headers["content-disposition"]
        assert f'filename="paperboy-library-collection.{fmt}"' in disposition
        assert (
            "filename*=UTF-8''paperboy-library-%E6%A9%9F%E6%A2%B0%E5%AD%A6%E7%BF%92" in disposition
        )
