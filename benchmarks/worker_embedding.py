"""Run by hand: several `paperboy worker` processes embed new papers through the job table.

Goal (issue 14, item 2): with 2 workers and 5,000 new papers, each paper is embedded
exactly once: the finished ``embed_batch`` jobs together encoded 5,000 papers (each
keeps its count of papers encoded in its payload, and each worker logs it), no paper
is in two batches, none is left without a vector.

The script creates a fresh PostgreSQL database (from ``PAPERBOY_TEST_POSTGRES_URL``, the
test suite's server) or, with ``--sqlite``, a SQLite file in a temporary folder; ingests
the first N papers of the shared arXiv file; starts W workers; waits until every paper
has its vector; stops them (SIGTERM) and prints what each did.

    .venv/bin/python benchmarks/worker_embedding.py --papers 5000 --workers 2
    .venv/bin/python benchmarks/worker_embedding.py --papers 500 --sqlite  # quicker
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from paperboy.config import Settings  # noqa: E402
from paperboy.ingest.jsonl import ingest_jsonl  # noqa: E402
from paperboy.search.service import model_key  # noqa: E402
from paperboy.store import Store  # noqa: E402
from paperboy.workqueue.embedding import BATCH_KIND  # noqa: E402

SHARED = Path("/work/shared/data/arxiv-2025-2026.jsonl.gz")


def first_papers(n: int, folder: Path) -> Path:
    out = folder / "papers.jsonl"
    with gzip.open(SHARED, "rt", encoding="utf-8") as src, out.open("w") as dst:
        for i, line in enumerate(src):
            if i >= n:
                break
            dst.write(line)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=256, help="PAPERBOY_JOB_EMBED_BATCH")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    parser.add_argument(
        "--model-dir",
        type=Path,
        default=ROOT / "data" / "models",
        help="exported model files (exported there on first use)",
    )
    args = parser.parse_args()
    if not SHARED.exists():
        sys.exit(f"{SHARED} is missing")
    folder = Path(tempfile.mkdtemp(prefix="paperboy-workers-"))
    admin_url = os.environ.get("PAPERBOY_TEST_POSTGRES_URL")
    name = f"paperboy_bench_{uuid.uuid4().hex[:10]}"
    if args.sqlite:
        url = f"sqlite:///{folder / 'paperboy.db'}"
    else:
        if not admin_url:
            sys.exit("set PAPERBOY_TEST_POSTGRES_URL (or use --sqlite)")
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    store = Store.open(url)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        started = time.perf_counter()
        report = ingest_jsonl(store, first_papers(args.papers, folder))
        print(f"ingested {report.added} papers in {time.perf_counter() - started:.1f} s")
        model = model_key(Settings(data_dir=folder).embedding_runtime)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PAPERBOY_DATA_DIR": str(folder),
            "PAPERBOY_DATABASE_URL": url,
            "PAPERBOY_MODEL_DIR": str(args.model_dir),
            "PAPERBOY_LOAD_DEMO": "false",
            "PAPERBOY_DIGEST_SCHEDULER": "false",
            "PAPERBOY_MAP_REFRESH_MINUTES": "0",
            "PAPERBOY_INDEX_INTERVAL": "2",
            "PAPERBOY_JOB_EMBED_BATCH": str(args.batch),
        }
        logs = [folder / f"worker-{n}.log" for n in range(args.workers)]
        started = time.perf_counter()
        for log in logs:
            with log.open("wb") as out:
                command = [sys.executable, "-m", "paperboy", "worker"]
                workers.append(subprocess.Popen(command, env=env, stdout=out, stderr=out))
        while store.embeddings.count_to_embed(model) or store.jobs.list_jobs(
            BATCH_KIND, ["queued", "running"]
        ):
            for w, log in zip(workers, logs, strict=True):
                if w.poll() is not None:
                    sys.exit(f"a worker exited:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(timeout=60)
        done = store.jobs.list_jobs(BATCH_KIND, ["done"])
        in_batches = [int(i) for job in done for i in job.payload["papers"]]
        encoded = sum(int(job.payload["embedded"]) for job in done)
        print(
            f"{args.workers} workers, {len(done)} batches of up to {args.batch}, "
            f"{'SQLite' if args.sqlite else 'PostgreSQL'}"
        )
        for n, log in enumerate(logs):
            counts = re.findall(r"kind=embed_batch .*? embedded=(\d+)", log.read_text())
            print(f"  worker {n}: {len(counts)} batches, {sum(map(int, counts))} papers embedded")
        print(
            f"papers: {args.papers}; embedded (sum over finished batches): {encoded}; "
            f"papers in two batches: {len(in_batches) - len(set(in_batches))}; "
            f"left without a vector: {store.embeddings.count_to_embed(model)}"
        )
        print(
            f"wall time from the workers' start (model load included): {seconds:.1f} s, "
            f"{args.papers / seconds:.0f} papers/s"
        )
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
        store.close()
        if not args.sqlite and admin_url:
            with create_engine(admin_url, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
