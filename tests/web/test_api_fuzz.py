"""Schemathesis against the in-process app: every /api operation of the OpenAPI schema,
with valid and invalid inputs generated from the schema, must never answer 5xx. Writes
run with a real API token (the arXiv API is the local test server, which knows no paper).

Deterministic and bounded (FUZZ_EXAMPLES per operation and mode, a few hundred requests);
benchmarks/fuzz_api.sh runs the same test with many more (and random) examples.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup

from paperboy.config import Settings
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import create_app
from tests.ingest.conftest import source_server as source_server
from tests.ingest.source_server import LocalServer, Seen
from tests.web.test_submissions import ATOM, EMPTY_FEED

FUZZ_EXAMPLES = int(os.environ.get("PAPERBOY_FUZZ_EXAMPLES", "12"))
FUZZ_RANDOM = os.environ.get("PAPERBOY_FUZZ_RANDOM", "") == "1"
# "all": every schemathesis check (response schemas, status codes, headers...), not only 5xx.
FUZZ_ALL_CHECKS = os.environ.get("PAPERBOY_FUZZ_CHECKS", "") == "all"
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def no_such_paper(_seen: Seen) -> tuple[int, dict[str, str], bytes]:
    return 200, ATOM, EMPTY_FEED


@pytest.fixture
def fuzz_app(
    settings: Settings,
    loaded_store: Store,
    search_service: SearchService,
    source_server: LocalServer,
) -> FastAPI:
    source_server.handler = no_such_paper
    unlimited = Settings(
        data_dir=settings.data_dir,
        base_url=settings.base_url,
        model_dir=settings.model_dir,
        background_indexing=False,
        api_rate_limit=False,  # the fuzzer is one client sending hundreds of requests
        arxiv_api_url=f"{source_server.url}/api/query",
        request_interval=0.0,
        request_timeout=5.0,
        max_retries=0,
        submissions_per_day=1000,
    )
    return create_app(unlimited, loaded_store, search_service)


@pytest.fixture
def api_token(loaded_store: Store) -> str:
    user = loaded_store.accounts.create_user("fuzzer@example.org")
    return loaded_store.tokens.create_token(user.id, "api", "fuzzer")[1]


@pytest.fixture
def lifespan(fuzz_app: FastAPI) -> Iterator[None]:
    with TestClient(fuzz_app):
        yield


def fuzz(operation: Any, headers: dict[str, str], calls: dict[str, int]) -> str | None:
    """Run one operation's examples; the first failure's report, or None."""
    label = f"{operation.method.upper()} {operation.path}"
    strategy = st.one_of(*(operation.as_strategy(generation_mode=m) for m in MODES))

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not FUZZ_RANDOM,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        calls[label] = calls.get(label, 0) + 1
        response = case.call(headers=headers)
        case.validate_response(response, checks=None if FUZZ_ALL_CHECKS else [not_a_server_error])

    try:
        run()
    except (FailureGroup, AssertionError) as exc:  # schemathesis' failed checks
        return f"{label}: {exc}"
    return None


def test_no_api_operation_answers_5xx(fuzz_app: FastAPI, api_token: str, lifespan: None) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    assert all(op.path.startswith("/api/") for op in operations)
    headers = {"Authorization": f"Bearer {api_token}"}
    calls: dict[str, int] = {}
    started = time.monotonic()
    failures = [f for op in operations if (f := fuzz(op, headers, calls)) is not None]
    elapsed = time.monotonic() - started
    total = sum(calls.values())
    print(f"\nschemathesis: {total} requests over {len(calls)} operations in {elapsed:.1f} s")
    assert not failures, "\n\n".join(failures)
    assert total >= len(operations) * 2
