"""GitHub stars: an optional source (``paperboy sync github``), off unless
``PAPERBOY_GITHUB_SYNC`` is on.

For every repository papers link to (``store.code.repos_to_sync``: repositories of
recent, most upvoted papers first) the sync asks ``GET /repos/{owner}/{repo}`` and keeps
stars, last push, archived flag, description and licence, plus a star snapshot per day
so the gain over a window is known. It is polite and frugal:

* conditional requests: the stored ``ETag`` goes out as ``If-None-Match``; a 304 costs
  no quota and confirms the stored facts;
* the primary rate limit: when ``x-ratelimit-remaining`` reaches 0 the run stops and
  says when it resumes (``x-ratelimit-reset``); repositories checked in the last
  ``github_refresh_hours`` are skipped, so the next run continues where this one stopped;
* secondary limits: a 403/429 with ``retry-after`` is waited out (at most
  ``github_max_wait`` seconds, else the run stops);
* renames: a 301 is followed and the repository's new full name recorded;
* deleted repositories: a 404 (or 451) is recorded once and never asked again;
* 5xx and network errors are retried with backoff, then the repository is skipped; after
  ``MAX_CONSECUTIVE_FAILURES`` failures in a row the run stops: GitHub is unreachable.

Every answer is written in its own transaction: a stopped run loses nothing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from paperboy.clock import utc_naive, utcnow
from paperboy.config import Settings
from paperboy.errors import PaperboyError, SourceError
from paperboy.ingest.http import parse_retry_after
from paperboy.progress import progress
from paperboy.store import Store
from paperboy.store.code import RepoToSync

log = logging.getLogger("paperboy.ingest.github")

MAX_REDIRECTS = 3
MAX_CONSECUTIVE_FAILURES = 5
MAX_BACKOFF = 30.0


class GithubSyncOff(PaperboyError):
    status = 409
    title = "GitHub sync is off"


@dataclass
class GithubReport:
    """What a sync run did."""

    checked: int = 0
    updated: int = 0  # 200: facts and today's snapshot written
    not_modified: int = 0  # 304: no quota spent
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (linked, new name)
    gone: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (repo, reason)
    fresh: int = 0  # checked recently: not asked this time
    remaining: int = 0  # not reached because the run stopped
    stopped: str | None = None  # why the run stopped early (rate limit)
    resumes_at: datetime | None = None
    requests: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"GitHub: {self.checked} repositories checked in {self.seconds:.1f}s "
            f"({self.requests} requests): {self.updated} updated, "
            f"{self.not_modified} not modified (304), {len(self.renamed)} renamed, "
            f"{len(self.gone)} gone, {len(self.skipped)} skipped; "
            f"{self.fresh} checked recently and left alone"
        ]
        for old, new in self.renamed[:20]:
            lines.append(f"  renamed {old} -> {new}")
        for name in self.gone[:20]:
            lines.append(f"  gone (404): {name}")
        for name, reason in self.skipped[:20]:
            lines.append(f"  skipped {name}: {reason}")
        if self.stopped:
            lines.append(f"  stopped early: {self.stopped}; {self.remaining} repositories left")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "checked": self.checked,
            "updated": self.updated,
            "not_modified": self.not_modified,
            "renamed": [{"from": a, "to": b} for a, b in self.renamed],
            "gone": self.gone,
            "skipped": [{"repo": r, "reason": why} for r, why in self.skipped],
            "fresh": self.fresh,
            "remaining": self.remaining,
            "stopped": self.stopped,
            "resumes_at": self.resumes_at.isoformat() if self.resumes_at else None,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
        }


class _RateLimited(Exception):
    def __init__(self, reason: str, resumes_at: datetime | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.resumes_at = resumes_at


class _Failed(Exception):
    """This repository could not be fetched (5xx, network, bad answer)."""


@dataclass(frozen=True)
class _Answer:
    status: int  # 200, 304 or 404
    body: dict[str, Any] | None
    etag: str | None
    moved: bool


def _reset_time(response: httpx.Response) -> datetime | None:
    raw = response.headers.get("x-ratelimit-reset")
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC) if raw else None
    except (ValueError, OverflowError, OSError):
        return None


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "the reset time GitHub gives"


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return utc_naive(moment)


def _licence(value: object) -> str | None:
    if not isinstance(value, dict):
        return None
    spdx, name = value.get("spdx_id"), value.get("name")
    if isinstance(spdx, str) and spdx and spdx != "NOASSERTION":
        return spdx[:100]
    return name[:100] if isinstance(name, str) and name else None


def _message(response: httpx.Response) -> str:
    try:
        message = response.json().get("message")
    except (ValueError, AttributeError):
        return ""
    return f": {message[:200]}" if isinstance(message, str) else ""


class GithubClient:
    """Fetches one repository at a time; raises _RateLimited or _Failed."""

    def __init__(self, settings: Settings) -> None:
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": settings.user_agent,
        }
        if settings.github_token:
            headers["Authorization"] = f"Bearer {settings.github_token.strip()}"
        self.base = settings.github_api_url.rstrip("/")
        self.interval = settings.github_request_interval
        self.max_retries = settings.max_retries
        self.max_wait = settings.github_max_wait
        self.requests = 0
        # Set when an answer said no quota is left: the run stops before the next request.
        self.exhausted_at: datetime | None = None
        self._next = 0.0
        self._client = httpx.Client(
            headers=headers, timeout=settings.request_timeout, follow_redirects=False
        )

    def close(self) -> None:
        self._client.close()

    def _send(self, url: str, etag: str | None) -> httpx.Response:
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next = time.monotonic() + self.interval
        self.requests += 1
        headers = {"If-None-Match": etag} if etag else {}
        return self._client.get(url, headers=headers)

    def fetch(self, full_name: str, etag: str | None) -> _Answer:
        url = f"{self.base}/repos/{full_name}"
        attempt = 0
        hops = 0
        moved = False
        while True:
            try:
                response = self._send(url, etag if not moved else None)
            except httpx.TransportError as exc:
                if attempt >= self.max_retries:
                    raise _Failed(f"network error: {str(exc) or type(exc).__name__}") from None
                time.sleep(min(0.2 * 2**attempt, MAX_BACKOFF))
                attempt += 1
                continue
            except httpx.HTTPError as exc:
                raise _Failed(f"request failed: {exc}") from None
            status = response.status_code
            if status in (301, 302, 307, 308):
                location = response.headers.get("location")
                if not location or hops >= MAX_REDIRECTS:
                    raise _Failed(f"HTTP {status} without a usable Location")
                url = str(response.url.join(location))
                hops += 1
                moved = True
                continue
            if status == 304:
                return _Answer(304, None, etag, False)
            if status in (404, 451):
                return _Answer(404, None, None, moved)
            if status in (403, 429):
                if attempt >= self.max_retries:
                    raise _RateLimited(
                        f"GitHub still rate-limits after {attempt} waits",
                        datetime.now(UTC) + timedelta(minutes=1),
                    )
                self._limited(response)
                attempt += 1
                continue
            if status >= 500:
                if attempt >= self.max_retries:
                    raise _Failed(f"HTTP {status} after {attempt} retries")
                time.sleep(min(0.2 * 2**attempt, MAX_BACKOFF))
                attempt += 1
                continue
            if status != 200:
                raise _Failed(f"HTTP {status} {response.reason_phrase}{_message(response)}")
            try:
                body = response.json()
            except ValueError:
                raise _Failed("the answer is not JSON") from None
            if not isinstance(body, dict) or not isinstance(body.get("stargazers_count"), int):
                raise _Failed("the answer has no stargazers_count")
            if response.headers.get("x-ratelimit-remaining") == "0":
                # This answer is good; the next request would be refused.
                self.exhausted_at = _reset_time(response)
            return _Answer(200, body, response.headers.get("etag"), moved)

    def _limited(self, response: httpx.Response) -> None:
        """A 403/429: wait out a short secondary limit, else raise _RateLimited."""
        retry_after = response.headers.get("retry-after")
        if retry_after is not None:
            wait = parse_retry_after(retry_after, 60.0)
            if wait <= self.max_wait:
                log.warning("GitHub: secondary rate limit, waiting %.0fs", wait)
                time.sleep(wait)
                return
            resumes = datetime.now(UTC) + timedelta(seconds=wait)
            raise _RateLimited("GitHub secondary rate limit", resumes)
        if response.headers.get("x-ratelimit-remaining") == "0":
            reset = _reset_time(response)
            raise _RateLimited(f"GitHub rate limit exhausted; resumes after {_when(reset)}", reset)
        if response.status_code == 429 or "rate limit" in response.text.lower():
            # A secondary limit without retry-after: GitHub asks for at least a minute.
            raise _RateLimited(
                "GitHub secondary rate limit", datetime.now(UTC) + timedelta(minutes=1)
            )
        # Any other 403 (a repository whose access is blocked...) concerns this one only.
        raise _Failed(f"HTTP {response.status_code}{_message(response)}")


def sync_github(
    store: Store,
    settings: Settings,
    *,
    limit: int | None = None,
    force: bool = False,
) -> GithubReport:
    """Refresh the GitHub facts of linked repositories, most relevant first.

    ``limit`` caps the repositories asked about; ``force`` also asks about those checked
    in the last ``github_refresh_hours``. Raises GithubSyncOff when the sync is disabled
    and SourceError when GitHub is unreachable (what was fetched before stays stored).
    """
    if not settings.github_sync:
        raise GithubSyncOff(
            "the GitHub sync is off; set PAPERBOY_GITHUB_SYNC=true to enable it "
            "(and optionally PAPERBOY_GITHUB_TOKEN)"
        )
    started = time.monotonic()
    now = utcnow()
    report = GithubReport()
    queue: list[RepoToSync] = []
    fresh_after = now - timedelta(hours=settings.github_refresh_hours)
    for repo in store.code.repos_to_sync(now.date()):
        if not force and repo.checked_at is not None and repo.checked_at > fresh_after:
            report.fresh += 1
        else:
            queue.append(repo)
    if limit is not None:
        queue = queue[:limit]
    client = GithubClient(settings)
    failures = 0
    try:
        with progress("github", total=len(queue), unit="repo") as bar:
            for index, repo in enumerate(queue):
                if client.exhausted_at is not None:
                    report.stopped = (
                        f"GitHub rate limit exhausted; resumes after {_when(client.exhausted_at)}"
                    )
                    report.resumes_at = client.exhausted_at
                    report.remaining = len(queue) - index
                    break
                try:
                    answer = client.fetch(repo.full_name, repo.etag)
                except _RateLimited as exc:
                    report.stopped = exc.reason
                    report.resumes_at = exc.resumes_at
                    report.remaining = len(queue) - index
                    break
                except _Failed as exc:
                    report.skipped.append((repo.full_name, str(exc)))
                    log.warning("GitHub: skipped %s: %s", repo.full_name, exc)
                    failures += 1
                    if failures >= MAX_CONSECUTIVE_FAILURES:
                        raise SourceError(
                            f"GitHub is unreachable or failing ({failures} repositories in a "
                            f"row failed, the last: {exc}); {report.checked} checked before"
                        ) from None
                    bar.update(1)
                    continue
                failures = 0
                report.checked += 1
                _record(store, repo, answer, report)
                bar.update(1)
    finally:
        client.close()
        report.requests = client.requests
        report.seconds = time.monotonic() - started
    if report.skipped and report.checked == 0 and report.stopped is None:
        raise SourceError(
            f"GitHub is unreachable or failing: all {len(report.skipped)} requests failed "
            f"(the last: {report.skipped[-1][1]})"
        )
    return report


def _record(store: Store, repo: RepoToSync, answer: _Answer, report: GithubReport) -> None:
    moment = utcnow()
    if answer.status == 304:
        store.code.record_not_modified(repo.key, now=moment)
        report.not_modified += 1
        return
    if answer.status == 404:
        store.code.record_gone(repo.key, now=moment)
        report.gone.append(repo.full_name)
        return
    body = answer.body or {}
    full_name = body.get("full_name")
    if not isinstance(full_name, str) or "/" not in full_name:
        full_name = repo.full_name
    if full_name.lower() != repo.full_name.lower():
        report.renamed.append((repo.full_name, full_name))
    description = body.get("description")
    store.code.record_repo(
        repo.key,
        full_name=full_name,
        stars=int(body["stargazers_count"]),
        pushed_at=_parse_time(body.get("pushed_at")),
        archived=bool(body.get("archived")),
        description=description[:1000] if isinstance(description, str) else None,
        license=_licence(body.get("license")),
        # After a redirect the ETag belongs to /repositories/{id}; ask the new name next
        # time without one.
        etag=None if answer.moved else answer.etag,
        now=moment,
    )
    report.updated += 1
