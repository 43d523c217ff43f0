"""An idle embedding plan (every PAPERBOY_INDEX_INTERVAL in every serve with jobs) skips
its scan for papers without a vector while no paper changed since a scan that left
nothing unplanned, and scans again when a paper changes or ten minutes have passed."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete

from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.store import Store
from paperboy.store.models import jobs
from paperboy.workqueue.embedding import BATCH_KIND, FULL_SCAN_EVERY, plan_if_changed
from tests.support import SMALL_PAPERS


def test_an_idle_plan_skips_its_scan_until_a_paper_changes(db_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=db_url, job_embed_batch=50)
    store = Store.open(db_url)
    try:
        ingest_jsonl(store, SMALL_PAPERS)
        now = utcnow()
        planned, state = plan_if_changed(store, settings, {}, now)
        assert planned == 1 and state["papers_at"] and state["scanned_at"]
        # The batch vanishes (deleted by hand): its papers need vectors again, but no
        # paper changed, so the next runs do not look.
        with store.engine.begin() as conn:
            conn.execute(delete(jobs).where(jobs.c.kind == BATCH_KIND))
        assert plan_if_changed(store, settings, state, now + timedelta(seconds=5)) == (0, state)
        # Ten minutes on, a full scan finds them.
        later = now + FULL_SCAN_EVERY + timedelta(seconds=1)
        planned, rescanned = plan_if_changed(store, settings, state, later)
        assert planned == 1 and rescanned["scanned_at"] == later.isoformat()
        assert plan_if_changed(store, settings, rescanned, later) == (0, rescanned)
        # A new paper is planned at the next run.
        record = json.loads(SMALL_PAPERS.read_text().splitlines()[0])
        record.update(id="2607.00002", title="A new paper on lattice puzzles")
        new = tmp_path / "new.jsonl"
        new.write_text(json.dumps(record) + "\n")
        assert ingest_jsonl(store, new).added == 1
        planned, _state = plan_if_changed(store, settings, rescanned, later)
        assert planned == 1
        newest = max(store.jobs.list_jobs(BATCH_KIND), key=lambda job: job.id)
        assert len(newest.payload["papers"]) == 1
    finally:
        store.close()
