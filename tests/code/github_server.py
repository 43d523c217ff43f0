"""A stand-in for the GitHub REST API's ``GET /repos/{owner}/{repo}`` on a real local
HTTP server (``tests.ingest.source_server.LocalServer``), with the documented shapes:

* 200: the repository object (``full_name``, ``stargazers_count``, ``pushed_at``,
  ``archived``, ``description``, ``license`` {key, name, spdx_id, ...}, ...) with an
  ``ETag`` and the ``x-ratelimit-*`` headers;
* 304 to an ``If-None-Match`` that matches (a 304 does not count against the quota);
* 301 for a renamed repository, ``Location: /repositories/{id}`` and the documented
  ``{"message": "Moved Permanently", "url": ...}`` body;
* 404 ``{"message": "Not Found", ...}`` for a deleted one;
* 403 with ``x-ratelimit-remaining: 0`` once the quota is spent (until ``reset``), and
  scripted secondary limits (403 + ``retry-after``) and 5xx answers.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.ingest.source_server import Answer, LocalServer, Seen, _RequestHandler

DOCS = "https://docs.github.com/rest/repos/repos#get-a-repository"
JSON = {"Content-Type": "application/json; charset=utf-8"}


class _NoDelayHandler(_RequestHandler):
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and
    # the client's delayed ACK add ~40 ms to every answer, which real GitHub does not.
    disable_nagle_algorithm = True


def github_server() -> LocalServer:
    """A started LocalServer whose answers are not held back by Nagle's algorithm."""
    server = LocalServer()
    server._server.RequestHandlerClass = _NoDelayHandler
    server.start()
    return server


@dataclass
class FakeRepo:
    id: int
    full_name: str
    stars: int
    pushed_at: str = "2026-06-29T10:00:00Z"
    archived: bool = False
    description: str | None = "A repository."
    license: str | None = "mit"  # None: no licence; "other": NOASSERTION

    def body(self, base: str) -> dict[str, Any]:
        owner, name = self.full_name.split("/")
        licence: dict[str, str | None] | None = None
        if self.license == "mit":
            licence = {
                "key": "mit",
                "name": "MIT License",
                "spdx_id": "MIT",
                "url": "https://api.github.com/licenses/mit",
                "node_id": "MDc6TGljZW5zZTEz",
            }
        elif self.license == "other":
            licence = {
                "key": "other",
                "name": "Other",
                "spdx_id": "NOASSERTION",
                "url": None,
                "node_id": "MDc6TGljZW5zZTA=",
            }
        return {
            "id": self.id,
            "node_id": f"R_{self.id}",
            "name": name,
            "full_name": self.full_name,
            "private": False,
            "owner": {"login": owner, "id": self.id * 10, "type": "User"},
            "html_url": f"https://github.com/{self.full_name}",
            "description": self.description,
            "fork": False,
            "url": f"{base}/repos/{self.full_name}",
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2026-06-30T00:00:00Z",
            "pushed_at": self.pushed_at,
            "homepage": None,
            "size": 1234,
            "stargazers_count": self.stars,
            "watchers_count": self.stars,
            "language": "Python",
            "forks_count": 3,
            "archived": self.archived,
            "disabled": False,
            "open_issues_count": 1,
            "license": licence,
            "topics": [],
            "visibility": "public",
            "default_branch": "main",
            "subscribers_count": 2,
        }


@dataclass
class GithubStandIn:
    """Answers like GitHub; state is mutable so a test can script what happens."""

    server: LocalServer
    repos: dict[str, FakeRepo] = field(default_factory=dict)  # by lower full name
    renamed: dict[str, int] = field(default_factory=dict)  # old lower name -> repo id
    quota: int = 5000
    limit: int = 5000
    reset_in: float = 3600.0  # seconds from the first request of a quota window
    # Scripted answers, consumed in order, per lower full name: status codes (5xx),
    # ("secondary", seconds) or "blocked" (403 Repository access blocked).
    script: dict[str, list[Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _reset_at: float | None = None

    def __post_init__(self) -> None:
        self.server.handler = self

    @property
    def url(self) -> str:
        return self.server.url

    def add(self, full_name: str, stars: int, **kw: Any) -> FakeRepo:
        repo = FakeRepo(id=len(self.repos) + 1000, full_name=full_name, stars=stars, **kw)
        self.repos[full_name.lower()] = repo
        return repo

    def rename(self, old: str, new: str) -> None:
        repo = self.repos.pop(old.lower())
        repo.full_name = new
        self.repos[new.lower()] = repo
        self.renamed[old.lower()] = repo.id

    def delete(self, full_name: str) -> None:
        self.repos.pop(full_name.lower())

    def _rate_headers(self) -> dict[str, str]:
        now = time.time()
        if self._reset_at is None or now >= self._reset_at:
            if self._reset_at is not None:
                self.quota = self.limit
            self._reset_at = now + self.reset_in
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.quota),
            "x-ratelimit-reset": str(int(self._reset_at + 0.999)),
            "x-ratelimit-used": str(self.limit - self.quota),
            "x-ratelimit-resource": "core",
        }

    def _json(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> Answer:
        return status, {**JSON, **(headers or {})}, json.dumps(body).encode()

    def __call__(self, seen: Seen) -> Answer:
        with self.lock:
            return self._answer(seen)

    def _answer(self, seen: Seen) -> Answer:
        parts = seen.path.strip("/").split("/")
        rate = self._rate_headers()
        if self.quota <= 0:
            return self._json(
                403,
                {"message": "API rate limit exceeded for 127.0.0.1.", "documentation_url": DOCS},
                {**rate, "x-ratelimit-remaining": "0"},
            )
        if len(parts) == 2 and parts[0] == "repositories":
            repo = next((r for r in self.repos.values() if str(r.id) == parts[1]), None)
            name = repo.full_name.lower() if repo else ""
        elif len(parts) == 3 and parts[0] == "repos":
            name = f"{parts[1]}/{parts[2]}".lower()
            repo = self.repos.get(name)
            if repo is None and name in self.renamed:
                self.quota -= 1
                new_url = f"{self.url}/repositories/{self.renamed[name]}"
                return self._json(
                    301,
                    {"message": "Moved Permanently", "url": new_url, "documentation_url": DOCS},
                    {**self._rate_headers(), "Location": new_url},
                )
        else:
            return self._json(404, {"message": "Not Found", "documentation_url": DOCS}, rate)
        scripted = self.script.get(name)
        if scripted:
            step = scripted.pop(0)
            if isinstance(step, tuple) and step[0] == "secondary":
                return self._json(
                    403,
                    {
                        "message": "You have exceeded a secondary rate limit.",
                        "documentation_url": DOCS,
                    },
                    {**rate, "retry-after": str(step[1])},
                )
            if step == "blocked":
                return self._json(
                    403,
                    {"message": "Repository access blocked", "documentation_url": DOCS},
                    rate,
                )
            return self._json(int(step), {"message": "Server Error"}, rate)
        if repo is None:
            self.quota -= 1
            return self._json(
                404, {"message": "Not Found", "documentation_url": DOCS}, self._rate_headers()
            )
        body = json.dumps(repo.body(self.url)).encode()
        etag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if seen.headers.get("if-none-match") == etag:
            return 304, {**rate, "ETag": etag}, b""  # no quota spent
        self.quota -= 1
        return 200, {**JSON, **self._rate_headers(), "ETag": etag}, body

    def asked(self, full_name: str) -> list[Seen]:
        path = f"/repos/{full_name}"
        with self.server.lock:
            return [s for s in self.server.seen if s.path.lower() == path.lower()]
