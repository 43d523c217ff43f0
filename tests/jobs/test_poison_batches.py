"""A poison paper (a text the embedder raises on) never keeps the rest of its batch from
their vectors: the batch is split in halves down to the poison papers, which alone stay
failed (with their error in `paperboy jobs status`) and are retried after a day or as
soon as their text changes. A failed batch of several papers (its worker died on every
attempt) is bisected by the next plan; an embedder that fails on any text fails the
batch as a whole instead of shattering it. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from paperboy.cli import cli
from paperboy.clock import utcnow
from paperboy.config import Settings
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.search.embed import paper_text
from paperboy.search.service import model_key
from paperboy.store import Store
from paperboy.store.embeddings import TextToEmbed
from paperboy.workqueue.embed_failures import PROBE_TEXT, revisit_failed_batches
from paperboy.workqueue.embedding import BATCH_KIND, embedding_handlers, ensure_plan_job
from paperboy.workqueue.runner import JobRunner, RunnerSettings
from tests.jobs.embedders import FaultySearch
from tests.support import SMALL_PAPERS

N_PAPERS = 37
FAST = RunnerSettings(lease_seconds=30, heartbeat_seconds=1, backoff_seconds=0, poll_seconds=0.05)


def _settings(tmp_path: Path, model_dir: Path, db_url: str, batch: int) -> Settings:
    # One plan run per test step (the tests run the plan again by hand when they mean to).
    return Settings(
        data_dir=tmp_path,
        model_dir=model_dir,
        database_url=db_url,
        job_embed_batch=batch,
        job_max_attempts=2,
        index_interval=600,
    )


def _papers(store: Store, model: str) -> list[TextToEmbed]:
    return store.embeddings.papers_to_embed(model, limit=1000)


def _text(paper: TextToEmbed) -> str:
    return paper_text(paper.title, paper.abstract)


def _drain(runner: JobRunner) -> None:
    for _ in range(500):
        if not runner.run_once():
            return
    raise AssertionError("the queue never emptied")


def _runner(store: Store, search: FaultySearch, settings: Settings) -> JobRunner:
    return JobRunner(
        store,
        embedding_handlers(search, settings),
        FAST,
        owner="w",
        setup=lambda: ensure_plan_job(store, settings),
    )


def test_poison_papers_alone_stay_failed_and_are_retried(
    db_url: str, tmp_path: Path, model_dir: Path
) -> None:
    settings = _settings(tmp_path, model_dir, db_url, batch=16)
    model = model_key(settings.embedding_runtime)
    store = Store.open(db_url)
    try:
        assert ingest_jsonl(store, SMALL_PAPERS).added == N_PAPERS
        papers = _papers(store, model)
        # Two poison papers in the first batch of 16, one in the second.
        poison = [papers[3], papers[9], papers[20]]
        search = FaultySearch(settings, store, {_text(p) for p in poison})
        runner = _runner(store, search, settings)
        _drain(runner)
        embedder = search.faulty
        assert embedder is not None

        # Every healthy paper has its vector, encoded exactly once; the poison ones none.
        left = {p.paper_id for p in _papers(store, model)}
        assert left == {p.paper_id for p in poison}
        healthy = [p for p in papers if p.paper_id not in left]
        assert {_text(p): embedder.encoded[_text(p)] for p in healthy} == {
            _text(p): 1 for p in healthy
        }
        assert set(embedder.encoded) == {_text(p) for p in healthy} | {PROBE_TEXT}

        # Only the poison papers are failed, each alone in its batch, with its error.
        failed = store.jobs.list_jobs(BATCH_KIND, ["failed"])
        assert sorted(job.payload["papers"] for job in failed) == sorted(
            [p.paper_id] for p in poison
        )
        for job in failed:
            (paper_id,) = job.payload["papers"]
            assert job.attempts == 2  # retried once with backoff, then failed
            assert job.last_error is not None
            assert f"the embedder fails on paper {paper_id} (" in job.last_error
            assert "ValueError: token ids out of range" in job.last_error
        assert store.jobs.list_jobs(BATCH_KIND, ["queued", "running"]) == []
        done = store.jobs.list_jobs(BATCH_KIND, ["done"])
        assert sum(int(job.payload["embedded"]) for job in done) == len(healthy)
        split = [job for job in done if "split" in job.payload]
        assert split and all("ValueError" in job.payload["error"] for job in split)
        status = store.jobs.status()
        assert {f.key for f in status.failures} == {job.key for job in failed}
        if db_url.startswith("sqlite"):  # the CLI's store lives with its process
            env = {"PAPERBOY_DATABASE_URL": db_url, "PAPERBOY_DATA_DIR": str(tmp_path)}
            shown = CliRunner().invoke(cli, ["jobs", "status", "--json"], env=env)
            assert shown.exit_code == 0, shown.output
            errors = [f["error"] for f in json.loads(shown.output)["failures"]]
            assert len(errors) == 3 and all("the embedder fails on paper" in e for e in errors)

        # Not retried within a day while the text is the same ...
        now = utcnow()
        assert revisit_failed_batches(store, model, failed, now) == 0
        # ... at once when its text changes (a new version): then it is embedded.
        fixed = poison[0]
        (fixed_id,) = [j.id for j in failed if j.payload["papers"] == [fixed.paper_id]]
        record = next(
            json.loads(line)
            for line in SMALL_PAPERS.read_text().splitlines()
            if json.loads(line)["title"] == fixed.title
        )
        record["abstract"] += " This version corrects the abstract."
        newer = tmp_path / "newer.jsonl"
        newer.write_text(json.dumps(record) + "\n")
        ingest_jsonl(store, newer)
        assert revisit_failed_batches(store, model, failed, now) == 1
        _drain(runner)
        assert {p.paper_id for p in _papers(store, model)} == {
            poison[1].paper_id,
            poison[2].paper_id,
        }
        (fixed_job,) = [j for j in store.jobs.list_jobs(BATCH_KIND) if j.id == fixed_id]
        assert fixed_job.state == "done" and fixed_job.payload["embedded"] == 1
        # ... and the others again once a day has passed (they fail again: still poison).
        still = store.jobs.list_jobs(BATCH_KIND, ["failed"])
        assert len(still) == 2
        assert revisit_failed_batches(store, model, still, now + timedelta(days=1, minutes=1)) == 2
        calls = embedder.calls
        _drain(runner)
        assert embedder.calls == calls + 2 * 2  # two papers, two attempts each
        assert len(store.jobs.list_jobs(BATCH_KIND, ["failed"])) == 2
    finally:
        store.close()


def test_a_failed_batch_of_several_papers_is_bisected_by_the_plan(
    db_url: str, tmp_path: Path, model_dir: Path
) -> None:
    settings = _settings(tmp_path, model_dir, db_url, batch=8)
    model = model_key(settings.embedding_runtime)
    store = Store.open(db_url)
    try:
        ingest_jsonl(store, SMALL_PAPERS)
        ids = [p.paper_id for p in _papers(store, model)[:6]]
        # A batch whose worker died on its only attempt (as a text that kills the model's
        # process makes it do): the next claim finds the lease expired and fails it.
        store.jobs.enqueue(BATCH_KIND, "crashed", {"model": model, "papers": ids}, max_attempts=1)
        assert store.jobs.claim([BATCH_KIND], "dead:1", lease_seconds=-1) is not None
        assert store.jobs.claim([BATCH_KIND], "w", lease_seconds=30) is None
        (crashed,) = store.jobs.list_jobs(BATCH_KIND, ["failed"])
        assert crashed.last_error is not None and "expired" in crashed.last_error
        search = FaultySearch(settings, store, set())
        _drain(_runner(store, search, settings))  # the plan bisects it; the rest is planned
        assert store.embeddings.count_to_embed(model) == 0
        jobs = {job.key: job for job in store.jobs.list_jobs(BATCH_KIND)}
        assert jobs["crashed"].state == "done"
        assert jobs["crashed"].payload["split"] == ["crashed/1", "crashed/2"]
        assert jobs["crashed/1"].payload["papers"] == ids[:3]
        assert jobs["crashed/2"].payload["papers"] == ids[3:]
        assert jobs["crashed/1"].payload["embedded"] + jobs["crashed/2"].payload["embedded"] == 6
        assert search.faulty is not None
        assert sum(search.faulty.encoded.values()) == N_PAPERS  # each paper once
    finally:
        store.close()


def test_an_embedder_that_fails_on_every_text_fails_the_batch_whole(
    db_url: str, tmp_path: Path, model_dir: Path
) -> None:
    settings = _settings(tmp_path, model_dir, db_url, batch=40)
    store = Store.open(db_url)
    try:
        ingest_jsonl(store, SMALL_PAPERS)
        search = FaultySearch(settings, store, set(), broken=True)
        _drain(_runner(store, search, settings))
        (batch,) = store.jobs.list_jobs(BATCH_KIND)  # not split
        assert batch.state == "failed" and batch.attempts == 2
        assert batch.last_error is not None
        assert "the embedder fails on any text: RuntimeError" in batch.last_error
        assert store.embeddings.count_to_embed(model_key(settings.embedding_runtime)) == N_PAPERS
    finally:
        store.close()
