"""Reader submissions in the store: the daily limit holds under concurrency, on SQLite
and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import datetime

from paperboy.store import Store
from tests.store.test_papers import rec
from tests.store.test_votes import paper_id


def test_daily_limit_holds_when_submissions_race(store: Store) -> None:
    ids = [f"2606.{n:05d}" for n in range(1, 13)]
    store.papers.upsert_papers([rec(a) for a in ids])
    papers = [paper_id(store, a) for a in ids]
    ada = store.accounts.create_user("ada@example.org")
    now = datetime(2026, 6, 30, 12, 0)
    start = threading.Barrier(len(papers))
    results: list[bool] = []

    def submit(pid: int) -> None:
        start.wait()
        results.append(store.submissions.add_submission(pid, ada.id, now=now, daily_limit=3))

    threads = [threading.Thread(target=submit, args=(pid,)) for pid in papers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 9 + [True] * 3
    assert store.submissions.count_submissions_since(ada.id, datetime(2026, 6, 30)) == 3
    assert len(store.submissions.submitters(papers)) == 3
    # A new UTC day starts a new count.
    unsubmitted = [pid for pid in papers if pid not in store.submissions.submitters(papers)]
    tomorrow = datetime(2026, 7, 1, 0, 1)
    assert store.submissions.add_submission(unsubmitted[0], ada.id, now=tomorrow, daily_limit=3)
