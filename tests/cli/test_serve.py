"""`paperboy serve` as an operator starts it: a real process on 127.0.0.1.

Development mode refuses a public address, startup warns about the default key and about
production over http, unknown PAPERBOY_* variables are reported, and behind a trusted
proxy (PAPERBOY_FORWARDED_ALLOW_IPS) both rate limiters count the real client address.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from paperboy.cli import cli
from paperboy.clock import utcnow
from paperboy.store import Store
from tests.support import ROOT, free_port

SECRET = "k" * 48


def serve_env(data_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOY_")}
    env.update(
        PYTHONPATH=str(ROOT),
        PAPERBOY_DATA_DIR=str(data_dir),
        PAPERBOY_LOAD_DEMO="false",
        PAPERBOY_BACKGROUND_INDEXING="false",
        PAPERBOY_DIGEST_SCHEDULER="false",
        PAPERBOY_SMTP_HOST="127.0.0.1",
        PAPERBOY_SMTP_PORT=str(free_port()),  # nothing listens: mail fails at once
    )
    env.update({f"PAPERBOY_{k.upper()}": v for k, v in settings.items()})
    return env


@dataclass
class Served:
    url: str
    log: Path

    def stderr(self) -> str:
        return self.log.read_text()


@contextmanager
def serving(tmp_path: Path, *args: str, **settings: str) -> Iterator[Served]:
    """`paperboy serve` in its own process, until it answers /api/health."""
    port = free_port()
    log = tmp_path / f"serve-{port}.log"
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "paperboy", "serve", "--port", str(port), *args],
            env=serve_env(tmp_path / "data", **settings),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    served = Served(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"serve exited: {served.stderr()}"
            try:
                if httpx.get(f"{served.url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"serve did not start: {served.stderr()}"
            time.sleep(0.1)
        yield served
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def run_serve(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """`paperboy serve` expected to stop by itself (a timeout means it served)."""
    return subprocess.run(
        [sys.executable, "-m", "paperboy", "serve", "--port", str(free_port()), *args],
        env=serve_env(tmp_path / "data", **settings),
        capture_output=True,
        text=True,
        timeout=30,
    )


# -- development mode on a public address ----------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "paperboy.example.org"])
def test_development_refuses_a_public_host(tmp_path: Path, host: str) -> None:
    result = run_serve(tmp_path, "--host", host)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"Error: refusing to serve development mode on {host}")
    assert "--insecure-dev-on-public-host" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()  # refused before touching the database


def test_development_refuses_a_public_host_from_the_environment(tmp_path: Path) -> None:
    result = run_serve(tmp_path, host="0.0.0.0")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: refusing to serve development mode on 0.0.0.0")


def test_the_explicit_flag_serves_on_a_public_host_with_loud_warnings(tmp_path: Path) -> None:
    with serving(tmp_path, "--host", "0.0.0.0", "--insecure-dev-on-public-host") as served:
        warnings = served.stderr()
    assert "WARNING: development mode on the non-loopback address 0.0.0.0" in warnings
    assert "WARNING: development mode with the default secret key" in warnings


def test_help_does_not_suggest_a_public_host_in_development() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "0.0.0.0" not in result.output
    assert "--insecure-dev-on-public-host" in result.output


def test_production_over_http_warns_and_https_does_not(tmp_path: Path) -> None:
    production = {"environment": "production", "secret_key": SECRET}
    with serving(tmp_path, base_url="http://papers.example.org", **production) as served:
        warnings = served.stderr()
    assert "WARNING: production with PAPERBOY_BASE_URL=http://papers.example.org" in warnings
    assert "Secure" in warnings
    with serving(tmp_path, base_url="https://papers.example.org", **production) as served:
        assert "WARNING" not in served.stderr()


# -- unknown PAPERBOY_* variables --------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["config", "show"], ["db", "upgrade"], ["ingest", "--no-index", "demo"]]
)
def test_unknown_variables_are_reported_by_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("PAPERBOY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PAPERBOY_ENV", "production")  # a typo of PAPERBOY_ENVIRONMENT
    monkeypatch.setenv("PAPERBOY_QWERTY", "1")
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    assert re.search(r"WARNING .*PAPERBOY_ENV is not a paperboy setting", result.stderr)
    assert "did you mean PAPERBOY_ENVIRONMENT?" in result.stderr
    assert "PAPERBOY_QWERTY is not a paperboy setting and is ignored (" in result.stderr


def test_known_variables_are_not_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PAPERBOY_TEST_SOMETHING", "1")  # the test suite's own
    result = CliRunner().invoke(cli, ["config", "show"])
    assert "not a paperboy setting" not in result.stderr


# -- trusted proxies -------------------------------------------------------------------


def feed_statuses(url: str, addresses: list[str]) -> list[int]:
    with httpx.Client(base_url=url, timeout=10) as client:
        return [
            client.get("/api/feed", headers={"X-Forwarded-For": address}).status_code
            for address in addresses
        ]


def request_sign_in(url: str, email: str, address: str) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        form = client.get("/signin").text
        match = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert match
        answer = client.post(
            "/signin",
            data={"email": email, "csrf_token": match.group(1)},
            headers={"X-Forwarded-For": address, "Origin": url},
        )
        assert answer.status_code == 200, answer.text


def sign_in_ips(data_dir: Path, addresses: list[str]) -> dict[str, int]:
    store = Store.open(f"sqlite:///{data_dir / 'paperboy.db'}")
    since = utcnow() - timedelta(hours=1)
    counts = {ip: store.accounts.count_login_tokens(since=since, ip=ip) for ip in addresses}
    store.close()
    return {ip: n for ip, n in counts.items() if n}


LIMITS = {"api_read_limit": "2", "sign_in_limit_per_ip_hour": "1"}
A, B = "203.0.113.1", "203.0.113.2"


def test_behind_a_trusted_proxy_limits_count_each_client(tmp_path: Path) -> None:
    """The proxy (here: the test, on 127.0.0.1) is trusted: each X-Forwarded-For
    address has its own API budget and its own sign-in budget."""
    with serving(tmp_path, forwarded_allow_ips="127.0.0.1", **LIMITS) as served:
        assert feed_statuses(served.url, [A, A, A, B]) == [200, 200, 429, 200]
        request_sign_in(served.url, "one@example.org", A)
        request_sign_in(served.url, "two@example.org", B)
    assert sign_in_ips(tmp_path / "data", [A, B, "127.0.0.1"]) == {A: 1, B: 1}


def test_an_untrusted_peer_cannot_choose_its_address(tmp_path: Path) -> None:
    """Only a proxy at 10.0.0.5 is trusted, so X-Forwarded-For from 127.0.0.1 counts for
    nothing: every request is the peer's own, one budget."""
    with serving(tmp_path, forwarded_allow_ips="10.0.0.5", **LIMITS) as served:
        assert feed_statuses(served.url, [A, A, B]) == [200, 200, 429]
        request_sign_in(served.url, "one@example.org", A)
        request_sign_in(served.url, "two@example.org", B)
    assert sign_in_ips(tmp_path / "data", [A, B, "127.0.0.1"]) == {"127.0.0.1": 1}


def test_forwarded_allow_ips_must_be_addresses(tmp_path: Path) -> None:
    result = run_serve(tmp_path, forwarded_allow_ips="10.0.0.5, proxy.local")
    assert result.returncode == 1
    assert "PAPERBOY_FORWARDED_ALLOW_IPS" in result.stderr and "proxy.local" in result.stderr
