"""Error pages render off the event loop: the header's signed-in reader is a database
lookup, and a slow lookup must hold up only its own request, not the whole server."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, event, text

from paperboy.accounts import hash_token
from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.store import Store
from paperboy.web import create_app
from tests.support import served

EMAIL = "ada@example.org"


def sign_in(client: httpx.Client, store: Store) -> None:
    """Through the real verify page, with a link token put in the database."""
    now = utcnow()
    store.accounts.add_login_token(
        hash_token("tok"), EMAIL, None, created_at=now, expires_at=now + timedelta(minutes=5)
    )
    page = client.get("/signin/verify?token=tok").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    done = client.post("/signin/verify", data={"token": "tok", "csrf_token": csrf.group(1)})
    assert done.status_code == 303


@contextmanager
def users_table_blocked(store: Store, db_url: str) -> Iterator[None]:
    """Reads of the users table wait until the block ends. PostgreSQL: another session
    holds an exclusive lock on the table. SQLite (readers never wait on writers in WAL
    mode): the engine's statements that read users wait at the cursor."""
    if db_url.startswith("postgresql"):
        locker = create_engine(db_url)
        with locker.connect() as conn, conn.begin():
            conn.execute(text("LOCK TABLE users IN ACCESS EXCLUSIVE MODE"))
            yield
        locker.dispose()
        return
    released = threading.Event()

    def wait(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM users" in statement:
            released.wait(30)

    event.listen(store.engine, "before_cursor_execute", wait)
    try:
        yield
    finally:
        released.set()  # the listener stays, harmless (removing it races the waiter)


def test_a_signed_in_404_does_not_hold_the_event_loop(db_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, background_indexing=False, digest_scheduler=False)
    store = Store.open(db_url)
    store.accounts.create_user(EMAIL, display_name="Ada Reader")
    answers: list[httpx.Response] = []
    try:
        with served(create_app(settings, store)) as url, httpx.Client(base_url=url) as client:
            sign_in(client, store)
            cookies = dict(client.cookies)
            missing = threading.Thread(
                target=lambda: answers.append(
                    httpx.get(f"{url}/no-such-page", cookies=cookies, timeout=30)
                )
            )
            with users_table_blocked(store, db_url):
                missing.start()
                time.sleep(0.5)  # the 404 is waiting on the users table now
                started = time.monotonic()
                try:
                    health = httpx.get(f"{url}/api/health", timeout=5)
                except httpx.TimeoutException:
                    health = None
                elapsed = time.monotonic() - started
                assert not answers
            missing.join(timeout=30)
    finally:
        store.close()
    assert health is not None and health.status_code == 200, "/api/health timed out"
    # Normally tens of ms; the bound leaves room for a loaded machine (8 s was seen with
    # a load average of 7 on 2 cores). Before, the loop was held until the lock went
    # (30 s): a timeout.
    assert elapsed < 10.0, f"/api/health waited {elapsed:.2f} s behind a 404"
    [page] = answers
    assert page.status_code == 404
    assert "Ada Reader" in page.text  # rendered for the signed-in reader
