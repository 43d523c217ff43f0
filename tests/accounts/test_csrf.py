"""Every state-changing route needs the session's CSRF token; found from the app's own
routes, so a new POST route is covered without touching this file."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Mount

from paperboy.config import Settings
from paperboy.store import Store
from paperboy.web import create_app
from paperboy.web.auth import CSRF_EXEMPT_PATHS
from tests.accounts.test_sign_in import csrf_of

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def unsafe_routes(app: FastAPI) -> list[tuple[str, str]]:
    return _walk(app.routes, "")


def _walk(routes: Sequence[BaseRoute], prefix: str) -> list[tuple[str, str]]:
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            for method in sorted(route.methods & UNSAFE):
                path = prefix + re.sub(r"\{[^}]+\}", "x", route.path)
                found.append((method, path))
        elif hasattr(route, "original_router"):
            # FastAPI keeps an included router as one entry (recent versions).
            context_prefix = getattr(getattr(route, "include_context", None), "prefix", "")
            found += _walk(route.original_router.routes, prefix + context_prefix)
        elif isinstance(route, Mount) and route.routes:
            found += _walk(route.routes, prefix + route.path)
    return found


def routes_of_a_fresh_app() -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), background_indexing=False)
        return unsafe_routes(create_app(settings, Store.__new__(Store)))


ALL_ROUTES = routes_of_a_fresh_app()
ROUTES = [(m, p) for m, p in ALL_ROUTES if p not in CSRF_EXEMPT_PATHS]
EXEMPT = [(m, p) for m, p in ALL_ROUTES if p in CSRF_EXEMPT_PATHS]


def test_the_known_post_routes_are_found() -> None:
    assert {("POST", "/signin"), ("POST", "/signout"), ("POST", "/profile")} <= set(ROUTES)


@pytest.fixture
def csrf_client(settings: Settings, sqlite_store: Store) -> TestClient:
    app = create_app(settings, sqlite_store)

    @app.post("/api/_probe")
    def probe() -> dict[str, str]:
        return {"ok": "yes"}

    return TestClient(app, follow_redirects=False)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_unsafe_route_without_token_is_403(csrf_client: TestClient, method: str, path: str) -> None:
    with csrf_client as client:
        no_session = client.request(method, path, data={"email": "a@example.org"})
        assert no_session.status_code == 403, no_session.text
        client.get("/signin")  # now there is a session with a token
        without = client.request(method, path, data={"email": "a@example.org"})
        assert without.status_code == 403
        assert "CSRF" in without.text
        wrong = client.request(method, path, data={"csrf_token": "forged"})
        assert wrong.status_code == 403


def test_api_refusal_has_the_json_error_shape(csrf_client: TestClient) -> None:
    with csrf_client as client:
        answer = client.post("/api/_probe")
        assert answer.status_code == 403
        error = answer.json()["error"]
        assert error["status"] == 403 and error["title"] == "Forbidden"
        assert "CSRF" in error["detail"]
        page = client.post("/signout")
        assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
        token = csrf_of(client.get("/signin").text)
        ok = client.post("/api/_probe", headers={"X-CSRF-Token": token})
        assert ok.status_code == 200 and ok.json() == {"ok": "yes"}


def test_cross_site_origin_is_refused_even_with_a_token(csrf_client: TestClient) -> None:
    with csrf_client as client:
        token = csrf_of(client.get("/signin").text)
        evil = client.post(
            "/signout",
            data={"csrf_token": token},
            headers={"Origin": "https://evil.example"},
        )
        assert evil.status_code == 403
        evil_ref = client.post(
            "/signout",
            data={"csrf_token": token},
            headers={"Referer": "https://evil.example/page"},
        )
        assert evil_ref.status_code == 403
        same = client.post(
            "/signout", data={"csrf_token": token}, headers={"Origin": "http://testserver"}
        )
        assert same.status_code == 303


@pytest.mark.parametrize(("method", "path"), EXEMPT, ids=[f"{m} {p}" for m, p in EXEMPT])
def test_token_authorised_route_refuses_a_missing_or_forged_token(
    csrf_client: TestClient, method: str, path: str
) -> None:
    """Routes exempt from the CSRF check are authorised by a signed token instead: without
    one, or with a forged one, they change nothing."""
    with csrf_client as client:
        for query in ("", "?token=forged"):
            answer = client.request(method, path + query, data={"x": "1"})
            assert answer.status_code in {400, 403, 404, 410, 422}, answer.text
