"""API rate limits: token buckets per client and budget (a controllable clock for the
arithmetic), and through the app: 429 in the error shape with Retry-After once over budget,
working again after the (tiny) window, reads and writes and tokens budgeted apart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from paperboy.config import Settings
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.web import create_app
from paperboy.web.buckets import PRUNE_AT, TOKEN_CHECK_SECONDS, RateLimiter, TokenChecks

WINDOW = 60.0  # seconds: no refill to speak of while a test counts requests
QUICK_WINDOW = 1.0  # seconds: a budget that refills while the test waits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_the_average_rate() -> None:
    clock = Clock()
    limiter = RateLimiter({"read": 3, "write": 1}, 60.0, clock)
    decisions = [limiter.hit("ip:a", "read") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[-1].retry_after == 20 and decisions[-1].reset == 60
    assert limiter.hit("ip:a", "write").allowed  # a separate budget
    assert limiter.hit("ip:b", "read").allowed  # and a separate client
    clock.now += 19.0
    assert not limiter.hit("ip:a", "read").allowed
    assert limiter.hit("ip:a", "read").retry_after == 1
    clock.now += 1.0
    assert limiter.hit("ip:a", "read").allowed
    assert not limiter.hit("ip:a", "read").allowed


def test_idle_buckets_are_forgotten_when_there_are_many() -> None:
    clock = Clock()
    limiter = RateLimiter({"read": 2}, 10.0, clock)
    for i in range(PRUNE_AT):
        limiter.hit(f"ip:{i}", "read")
    assert len(limiter) == PRUNE_AT
    clock.now += 10.0  # every bucket is full again
    limiter.hit("ip:late", "read")
    assert len(limiter) == 1


def test_token_checks_are_remembered_for_a_while() -> None:
    clock = Clock()
    asked: list[str] = []

    def is_live(token: str) -> bool:
        asked.append(token)
        return token == "good"

    checks = TokenChecks(is_live, clock)
    assert checks.cached("good") is None
    assert checks.check("good") and not checks.check("bad")
    assert (checks.cached("good"), checks.cached("bad")) == (True, False)
    clock.now += TOKEN_CHECK_SECONDS
    assert checks.cached("good") is None  # looked up again after a while (revocations)
    assert asked == ["good", "bad"]


def app_settings(settings: Settings, **limits: Any) -> Settings:
    return Settings(
        data_dir=settings.data_dir,
        base_url=settings.base_url,
        model_dir=settings.model_dir,
        background_indexing=False,
        **limits,
    )


def limited_client(
    settings: Settings, store: Store, search: SearchService, window: float
) -> TestClient:
    tight = app_settings(settings, api_read_limit=3, api_write_limit=2, api_rate_window=window)
    return TestClient(create_app(tight, store, search))


@pytest.fixture
def limited(
    settings: Settings, loaded_store: Store, search_service: SearchService
) -> Iterator[TestClient]:
    with limited_client(settings, loaded_store, search_service, WINDOW) as c:
        yield c


def test_after_the_window_it_works_again(
    settings: Settings, loaded_store: Store, search_service: SearchService
) -> None:
    with limited_client(settings, loaded_store, search_service, QUICK_WINDOW) as quick:
        for _ in range(50):  # the budget refills as we go: send until refused
            refused = quick.get("/api/feed?limit=1")
            if refused.status_code == 429:
                break
        assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
        time.sleep(QUICK_WINDOW)
        again = quick.get("/api/feed?limit=1")
        assert again.status_code == 200 and again.headers["x-ratelimit-remaining"] == "2"


def test_over_budget_is_429_with_retry_after(limited: TestClient) -> None:
    answers = [limited.get("/api/feed?limit=1") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    refused = answers[-1]
    # One request per 60 s / 3: 20 s, less whatever refilled while the four requests ran
    # (a slow first request on a loaded machine takes a second or more).
    assert 15 <= int(refused.headers["retry-after"]) <= 20
    assert refused.headers["x-ratelimit-limit"] == "3"
    assert refused.headers["x-content-type-options"] == "nosniff"  # still a paperboy answer
    error = refused.json()["error"]
    assert error["status"] == 429 and error["title"] == "Too many requests"
    assert "read limit of 3 requests per 60 seconds" in error["detail"]
    # Writes have their own budget: refused for want of a session, but not rate limited.
    writes = [limited.post("/api/papers/2606.28374/vote") for _ in range(3)]
    assert [w.status_code for w in writes] == [403, 403, 429]
    # Pages and the health check are not limited.
    assert limited.get("/").status_code == 200
    assert limited.get("/api/health").status_code == 200


def test_each_api_token_has_its_own_budget(limited: TestClient, loaded_store: Store) -> None:
    user = loaded_store.accounts.create_user("script@example.org")
    _, token = loaded_store.tokens.create_token(user.id, "api", "script")
    for _ in range(3):
        limited.get("/api/trending")
    assert limited.get("/api/trending").status_code == 429
    headers = {"Authorization": f"Bearer {token}"}
    assert limited.get("/api/trending", headers=headers).status_code == 200


def test_limits_can_be_switched_off(
    settings: Settings, loaded_store: Store, search_service: SearchService
) -> None:
    off = app_settings(settings, api_rate_limit=False, api_read_limit=1)
    with TestClient(create_app(off, loaded_store, search_service)) as client:
        answers = [client.get("/api/feed?limit=1") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert "x-ratelimit-limit" not in answers[0].headers


def test_made_up_tokens_count_against_the_address(limited: TestClient) -> None:
    answers = [
        limited.get("/api/feed?limit=1", headers={"Authorization": f"Bearer made-up-{i}"})
        for i in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers[:2]] == ["2", "1"]
    assert "unknown or revoked API tokens" in answers[2].json()["error"]["detail"]
    # One bad-token lookup per 60 s / 2: 30 s, or a little less on a slow machine.
    assert 25 <= int(answers[2].headers["retry-after"]) <= 30
    assert limited.get("/api/feed?limit=1").status_code == 200  # the last read of the address
    assert limited.get("/api/feed?limit=1").status_code == 429


def test_a_foreign_token_sent_every_time_is_looked_up_once(limited: TestClient) -> None:
    """Hugging Face clients send their HF token with every request."""
    hf = {"Authorization": "Bearer hf_aBcD"}
    answers = [limited.get("/api/daily_papers", headers=hf) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[-1].headers["x-ratelimit-remaining"] == "0"  # the address's read budget
    assert limited.get("/api/daily_papers", headers=hf).status_code == 429
    assert "read limit" in limited.get("/api/daily_papers", headers=hf).json()["error"]["detail"]
