"""Digests through SMTP servers that want STARTTLS and a login, or implicit TLS: a real
aiosmtpd server with a certificate made for the test (the client verifies it against
``smtp_ca_file``, as it would a private CA's)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from paperboy.config import Settings
from paperboy.digest import send_due_digests
from paperboy.store import Store
from tests.accounts.conftest import Mailbox, free_port, make_settings
from tests.digest.conftest import DUE, subscribe

USER, PASSWORD = "paperboy", "s3cret-pass"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    # handled=False: aiosmtpd itself answers a failure with 535.
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def tls_server(
    certificate: tuple[Path, Path], request: pytest.FixtureRequest
) -> Iterator[tuple[Mailbox, int, str]]:
    mode = request.param
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    box = Mailbox()
    port = free_port()
    if mode == "starttls":
        controller = Controller(
            box,
            hostname="127.0.0.1",
            port=port,
            server_hostname="localhost",
            tls_context=context,
            require_starttls=True,
            authenticator=_authenticate,
            auth_required=True,
        )
    else:
        controller = Controller(
            box,
            hostname="127.0.0.1",
            port=port,
            server_hostname="localhost",
            ssl_context=context,
            authenticator=_authenticate,
            auth_required=True,
            # aiosmtpd only counts STARTTLS as TLS; this whole connection is TLS.
            auth_require_tls=False,
        )
    controller.start()
    try:
        yield box, port, mode
    finally:
        controller.stop()


def _settings(
    settings: Settings, port: int, mode: str, cert: Path, password: str = PASSWORD
) -> Settings:
    return make_settings(
        settings.data_dir,
        port,
        model_dir=settings.model_dir,
        smtp_host="localhost",
        smtp_security=mode,
        smtp_ca_file=cert,
        smtp_user=USER,
        smtp_password=password,
    )


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize("tls_server", ["starttls", "ssl"], indirect=True)
def test_digests_go_through_tls_with_a_login(
    settings: Settings,
    loaded_store: Store,
    tls_server: tuple[Mailbox, int, str],
    certificate: tuple[Path, Path],
) -> None:
    box, port, mode = tls_server
    subscribe(loaded_store, "secure@example.org", max_papers=2)
    wrong = _settings(settings, port, mode, certificate[0], password="wrong")
    refused = send_due_digests(loaded_store, wrong, now=DUE)
    assert refused.sent == 0 and refused.stopped is not None
    assert "535" in refused.stopped or "Authentication" in refused.stopped
    assert box.messages == []
    # The right password: the queued digest goes out once the retry time comes.
    right = _settings(settings, port, mode, certificate[0])
    later = DUE.replace(hour=12)
    run = send_due_digests(loaded_store, right, now=later)
    assert run.sent == 1 and run.stopped is None
    assert [str(m["To"]) for m in box.messages] == ["secure@example.org"]


@pytest.mark.parametrize("tls_server", ["starttls"], indirect=True)
def test_an_untrusted_certificate_is_refused(
    settings: Settings, loaded_store: Store, tls_server: tuple[Mailbox, int, str]
) -> None:
    box, port, mode = tls_server
    subscribe(loaded_store, "secure@example.org", max_papers=2)
    system_cas = make_settings(
        settings.data_dir, port, model_dir=settings.model_dir, smtp_host="localhost",
        smtp_security=mode, smtp_user=USER, smtp_password=PASSWORD,
    )  # fmt: skip
    run = send_due_digests(loaded_store, system_cas, now=DUE)
    assert run.sent == 0 and run.stopped is not None and "CERTIFICATE" in run.stopped.upper()
    assert box.messages == []
