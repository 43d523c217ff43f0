"""`paperboy doctor` against real parts: a working site with a real SMTP server (aiosmtpd)
is all OK; a database that does not answer, a mail server that is down, a placeholder
secret in production or a database from newer code FAIL with exit 1; pending migrations,
papers the indexes have not caught up with and unknown variables WARN."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from paperboy.arxiv import PaperRecord
from paperboy.cli import cli
from paperboy.config import Settings
from paperboy.ops.doctor import DiskUsage, disk_check
from paperboy.search.service import SearchService
from paperboy.store import Store
from paperboy.store.db import upgrade_schema
from tests.accounts.conftest import Mailbox, free_port, smtp_server

GB = 1_000_000_000


def doctor(settings: Settings, **env: str) -> Result:
    values = {
        "PAPERBOY_DATA_DIR": str(settings.data_dir),
        "PAPERBOY_MODEL_DIR": str(settings.model_dir),
        "PAPERBOY_DATABASE_URL": None,
        **env,
    }
    return CliRunner().invoke(cli, ["doctor"], env=values)


def lines(result: Result) -> dict[str, str]:
    """Check name -> its status line (the last one of that name)."""
    found = {}
    for line in result.output.splitlines():
        status, _, rest = line.partition("  ")
        if status.strip() in ("OK", "WARN", "FAIL"):
            found[rest.strip().split(":")[0]] = line
    return found


def test_a_working_site_is_all_ok(settings: Settings, search_service: SearchService) -> None:
    box = Mailbox()
    with smtp_server(box) as port:
        result = doctor(settings, PAPERBOY_SMTP_HOST="127.0.0.1", PAPERBOY_SMTP_PORT=str(port))
    assert result.exit_code == 0, result.output
    found = lines(result)
    assert found["database"].startswith("OK")
    assert found["migrations"].startswith("OK")
    assert found["keyword index"] == "OK    keyword index: current (37 papers)"
    assert found["embeddings"].startswith("OK    embeddings: every paper embedded")
    assert found["smtp"] == f"OK    smtp: 127.0.0.1:{port} (none) answers"
    assert found["disk"].startswith("OK    disk: ") or found["disk"].startswith("WARN")
    assert found["secret key"].startswith("WARN")  # development's default key
    assert result.output.rstrip().endswith("0 failed")
    assert box.messages == []  # connects, sends nothing


def test_mail_server_down_fails(settings: Settings, search_service: SearchService) -> None:
    port = free_port()
    result = doctor(settings, PAPERBOY_SMTP_HOST="127.0.0.1", PAPERBOY_SMTP_PORT=str(port))
    assert result.exit_code == 1
    smtp = lines(result)["smtp"]
    assert smtp.startswith(f"FAIL  smtp: could not send mail through 127.0.0.1:{port}")
    assert "fix: check PAPERBOY_SMTP_HOST" in result.output
    assert result.output.rstrip().endswith("1 failed")


def test_database_that_does_not_answer_fails(settings: Settings) -> None:
    url = f"postgresql+psycopg://paperboy:pw-not-shown@127.0.0.1:{free_port()}/paperboy"
    result = doctor(settings, PAPERBOY_DATABASE_URL=url)
    assert result.exit_code == 1
    database = lines(result)["database"]
    assert database.startswith("FAIL  database: postgresql+psycopg://paperboy:***@127.0.0.1")
    assert "does not answer" in database
    assert "pw-not-shown" not in result.output
    assert "migrations" not in lines(result)  # nothing to check without the database


def test_placeholder_secret_in_production_fails(settings: Settings) -> None:
    result = doctor(settings, PAPERBOY_ENVIRONMENT="production", PAPERBOY_SECRET_KEY="changeme")
    assert result.exit_code == 1
    assert result.output.startswith("FAIL  configuration: invalid configuration: ")
    assert "PAPERBOY_SECRET_KEY is a placeholder" in result.output


def test_lagging_indexes_pending_migrations_and_typos_warn(
    settings: Settings, search_service: SearchService, loaded_store: Store
) -> None:
    loaded_store.papers.upsert_papers(
        [PaperRecord(arxiv_id="2699.00002", title="Not indexed yet", abstract="New.")]
    )
    result = doctor(settings, PAPERBOY_INDEX_INTERVALL="5")
    assert result.exit_code == 0, result.output
    found = lines(result)
    assert found["keyword index"].startswith(
        "WARN  keyword index: 1 of 38 papers changed since the index last read"
    )
    assert found["embeddings"].startswith("WARN  embeddings: 1 of 38 papers wait")
    assert "did you mean PAPERBOY_INDEX_INTERVAL?" in result.output


def test_schema_states(settings: Settings) -> None:
    store = Store.open(settings.resolved_database_url, migrate=False)
    upgrade_schema(store.engine, "0012")
    store.close()
    pending = doctor(settings)
    assert pending.exit_code == 0, pending.output
    assert lines(pending)["migrations"].startswith(
        "WARN  migrations: the database is at revision 0012, this version expects "
    )
    assert "fix: paperboy db upgrade" in pending.output
    engine = create_engine(settings.resolved_database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    newer = doctor(settings)
    assert newer.exit_code == 1
    assert "FAIL  migrations: the database is at revision 9999, which this version" in (
        newer.output
    )


@pytest.mark.parametrize(
    ("free", "total", "status"),
    [
        (500_000_000, 100 * GB, "FAIL"),
        (3 * GB, 100 * GB, "WARN"),  # under 5 GB
        (8 * GB, 100 * GB, "WARN"),  # under 10 %
        (40 * GB, 100 * GB, "OK"),
    ],
)
def test_disk_space_levels(tmp_path: Path, free: int, total: int, status: str) -> None:
    check = disk_check(tmp_path, DiskUsage(total, total - free, free))
    assert check.status == status
    assert (check.hint is None) == (status == "OK")


def test_metrics_folder_and_allow_list(settings: Settings, tmp_path: Path) -> None:
    missing = doctor(settings, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "no-such-folder"))
    assert missing.exit_code == 1
    assert lines(missing)["metrics"].startswith(
        f"FAIL  metrics: PROMETHEUS_MULTIPROC_DIR={tmp_path / 'no-such-folder'} is not a "
        "writable folder"
    )
    (tmp_path / "prom").mkdir()
    fine = doctor(settings, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prom"))
    assert lines(fine)["metrics"].startswith("OK    metrics: multi-process mode")
    everyone = doctor(settings, PAPERBOY_METRICS_ALLOW_IPS="*")
    assert lines(everyone)["metrics"].startswith("WARN  metrics: PAPERBOY_METRICS_ALLOW_IPS=*")
