"""``paperboy doctor``: is this installation fit to run? One line per check, OK, WARN or
FAIL, each problem with a hint to fix it.

It reads and never writes: no database file is created, no migration run, no index
built (a check that would need one says so instead)."""

from __future__ import annotations

import os
import shutil
import smtplib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

from paperboy.config import (
    Settings,
    is_loopback_host,
    is_placeholder_secret,
    load_settings,
    unknown_env_warnings,
)
from paperboy.errors import ConfigError
from paperboy.mail.send import describe_smtp_failure, open_smtp
from paperboy.metrics import MULTIPROC_ENV
from paperboy.search.lexical import STATE_FILE, index_position
from paperboy.search.service import model_key
from paperboy.store import Store
from paperboy.store.backup import sqlite_file
from paperboy.store.db import DatabaseError, masked_url

Status = Literal["OK", "WARN", "FAIL"]
# Free space in the data folder: SQLite needs room for its write-ahead log, a VACUUM or a
# backup (a copy of the database), the keyword index for a rebuild beside the old one.
FAIL_BELOW_BYTES = 1_000_000_000
WARN_BELOW_BYTES = 5_000_000_000
WARN_BELOW_FRACTION = 0.10
SMTP_FIELDS = ("smtp_host", "smtp_port", "smtp_security", "smtp_user", "smtp_password")


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    hint: str | None = None

    def line(self) -> str:
        text = f"{self.status:<4}  {self.name}: {self.detail}"
        return text + (f"\n      fix: {self.hint}" if self.hint else "")


class DiskUsage(NamedTuple):
    total: int
    used: int
    free: int


def run_checks(environ: Mapping[str, str] | None = None) -> Iterator[Check]:
    """Every check, in order; later ones are skipped when what they need failed."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        yield Check(
            "configuration",
            "FAIL",
            exc.detail,
            "set the named PAPERBOY_* variables (`paperboy config docs` lists every setting)",
        )
        return
    yield from config_checks(settings, environ)
    yield metrics_check(settings, environ)
    yield disk_check(settings.data_dir)
    store = None
    try:
        database = database_check(settings)
        yield database[0]
        store = database[1]
        if store is not None:
            yield migrations_check(store)
            yield from index_checks(settings, store)
    finally:
        if store is not None:
            store.close()
    yield smtp_check(settings)


def config_checks(settings: Settings, environ: Mapping[str, str] | None) -> Iterator[Check]:
    production = settings.environment == "production"
    yield Check(
        "configuration",
        "OK",
        f"{settings.environment}, data folder {settings.data_dir.absolute()}, "
        f"database {masked_url(settings.resolved_database_url)}",
    )
    for warning in unknown_env_warnings(environ):
        yield Check("configuration", "WARN", warning, "remove or rename the variable")
    if not production:
        if is_placeholder_secret(settings.secret_key):
            yield Check(
                "secret key",
                "WARN",
                "development mode with the default secret key: fine on your own machine, "
                "anyone who knows the key can forge sessions",
                "for a public site set PAPERBOY_ENVIRONMENT=production and a random "
                "PAPERBOY_SECRET_KEY (python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')",
            )
        if not is_loopback_host(settings.host):
            yield Check(
                "listen address",
                "FAIL",
                f"PAPERBOY_HOST={settings.host or '(every interface)'} in development: "
                "paperboy serve refuses it",
                "listen on 127.0.0.1, or set PAPERBOY_ENVIRONMENT=production",
            )
        return
    # Production: placeholders are refused when the settings load (FAIL above).
    if settings.base_url.startswith("http://"):
        yield Check(
            "base URL",
            "WARN",
            f"PAPERBOY_BASE_URL={settings.base_url}: the session cookie cannot be Secure "
            "and sign-in links travel unencrypted",
            "serve over https behind a reverse proxy and set an https:// base URL",
        )
    else:
        yield Check("base URL", "OK", settings.base_url)


def metrics_check(settings: Settings, environ: Mapping[str, str] | None) -> Check:
    environ = os.environ if environ is None else environ
    folder = environ.get(MULTIPROC_ENV)
    if "*" in [part.strip() for part in settings.metrics_allow_ips.split(",")]:
        return Check(
            "metrics",
            "WARN",
            "PAPERBOY_METRICS_ALLOW_IPS=* lets anyone who reaches paperboy read /metrics",
            "name Prometheus's address, or use PAPERBOY_METRICS_TOKEN",
        )
    if not folder:
        return Check("metrics", "OK", "single-process mode (PROMETHEUS_MULTIPROC_DIR unset)")
    path = Path(folder)
    if not path.is_dir() or not os.access(path, os.W_OK):
        return Check(
            "metrics",
            "FAIL",
            f"{MULTIPROC_ENV}={folder} is not a writable folder: every request would fail "
            "to record its metrics",
            "create it for the service's user (systemd: RuntimeDirectory=), or unset it",
        )
    return Check("metrics", "OK", f"multi-process mode, samples in {folder}")


def disk_check(data_dir: Path, usage: DiskUsage | None = None) -> Check:
    folder = data_dir.absolute()
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if usage is None:
        total, used, free = shutil.disk_usage(existing)
        usage = DiskUsage(total, used, free)
    if existing == folder and not os.access(folder, os.W_OK):
        return Check(
            "disk",
            "FAIL",
            f"the data folder {folder} is not writable by this user",
            "chown the folder to the service's user, or set PAPERBOY_DATA_DIR",
        )
    share = usage.free / usage.total if usage.total else 0.0
    detail = (
        f"{usage.free / 1e9:.1f} GB free of {usage.total / 1e9:.1f} GB ({share:.0%}) at {folder}"
    )
    hint = (
        "free space, or move PAPERBOY_DATA_DIR to a larger disk (the database, its "
        "backups and the keyword index grow with the papers)"
    )
    if usage.free < FAIL_BELOW_BYTES:
        return Check("disk", "FAIL", detail, hint)
    if usage.free < WARN_BELOW_BYTES or share < WARN_BELOW_FRACTION:
        return Check("disk", "WARN", detail, hint)
    return Check("disk", "OK", detail)


def database_check(settings: Settings) -> tuple[Check, Store | None]:
    url = settings.resolved_database_url
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return (
            Check(
                "database",
                "WARN",
                f"no database yet at {path}",
                "paperboy db upgrade (or paperboy serve) creates it",
            ),
            None,
        )
    try:
        store = Store.open(url, migrate=False)
        store.operations.ping()
    except (DatabaseError, ConfigError, OSError) as exc:
        reason = getattr(exc, "detail", None) or str(getattr(exc, "orig", None) or exc)
        return (
            Check(
                "database",
                "FAIL",
                f"{masked_url(url)} does not answer: {reason.strip().splitlines()[0][:300]}",
                "check PAPERBOY_DATABASE_URL and that the database server runs and accepts "
                "this user (PostgreSQL: systemctl status postgresql; pg_hba.conf)",
            ),
            None,
        )
    return Check("database", "OK", f"{masked_url(url)} answers"), store


def migrations_check(store: Store) -> Check:
    state = store.operations.schema_state()
    if state.is_current:
        return Check("migrations", "OK", f"schema at {state.head}, the newest")
    if not state.is_known:
        return Check(
            "migrations",
            "FAIL",
            f"the database is at revision {state.current}, which this version of paperboy "
            f"does not know (its newest is {state.head})",
            "a newer paperboy wrote it: install that version (or restore a backup made "
            "by this one)",
        )
    return Check(
        "migrations",
        "WARN",
        f"the database is at revision {state.current or '(empty)'}, this version expects "
        f"{state.head}",
        "paperboy db upgrade (paperboy serve also migrates when it starts)",
    )


def index_checks(settings: Settings, store: Store) -> Iterator[Check]:
    papers = store.papers.count_papers()
    folder = settings.resolved_index_dir / "lexical"
    if not (folder / STATE_FILE).exists():
        yield Check(
            "keyword index",
            "WARN" if papers else "OK",
            f"none on this machine yet ({folder}); {papers} papers in the database",
            "paperboy index update (paperboy serve builds it in the background)"
            if papers
            else None,
        )
    else:
        since, after_id = index_position(folder)
        waiting = store.operations.count_changed_after(since, after_id)
        if waiting:
            yield Check(
                "keyword index",
                "WARN",
                f"{waiting} of {papers} papers changed since the index last read",
                "paperboy serve catches up every PAPERBOY_INDEX_INTERVAL seconds; or run "
                "paperboy index update",
            )
        else:
            yield Check("keyword index", "OK", f"current ({papers} papers)")
    model = model_key(settings.embedding_runtime)
    backlog = store.embeddings.count_to_embed(model)
    if backlog:
        yield Check(
            "embeddings",
            "WARN",
            f"{backlog} of {papers} papers wait for an embedding (found by keywords only "
            "until then)",
            "paperboy serve embeds them in the background (about 60 a second on 2 cores); "
            "or run paperboy index update",
        )
    else:
        yield Check("embeddings", "OK", f"every paper embedded ({model})")


def smtp_configured(settings: Settings) -> bool:
    return settings.environment == "production" or bool(
        set(SMTP_FIELDS) & settings.model_fields_set
    )


def smtp_check(settings: Settings) -> Check:
    where = f"{settings.smtp_host}:{settings.smtp_port} ({settings.smtp_security})"
    if not smtp_configured(settings):
        return Check("smtp", "OK", "not configured: development writes sign-in links to the log")
    try:
        with open_smtp(settings) as smtp:
            code, _ = smtp.noop()
    except (smtplib.SMTPException, OSError) as exc:
        return Check(
            "smtp",
            "FAIL",
            describe_smtp_failure(settings, exc),
            "check PAPERBOY_SMTP_HOST, _PORT, _SECURITY, _USER and _PASSWORD, and that the "
            "mail server runs; without mail nobody can sign in",
        )
    login = f", signed in as {settings.smtp_user}" if settings.smtp_user else ""
    if code != 250:
        return Check("smtp", "WARN", f"{where} answered NOOP with {code}{login}")
    return Check("smtp", "OK", f"{where} answers{login}")
