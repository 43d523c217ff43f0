"""Run by hand: CPU used by an idle `paperboy serve` after a bulk ingest of the corpus.

Makes a data folder with the 74,728-paper corpus (copied from --from-db, else ingested
from ../shared/data), stamps every paper as changed at one instant (what a bulk ingest
of the corpus does within a few seconds), gives every paper an embedding so the
embedding backlog is empty (--placeholder-embeddings stores stand-in vectors for the
papers not embedded yet: idle CPU does not depend on their values; without it embedding
is turned off with PAPERBOY_BACKGROUND_EMBEDDING=false), deletes the keyword index, starts
`paperboy serve` from --tree, waits until the keyword index has caught up and the
server has been up --warmup seconds, then prints the CPU-seconds it used in the next
--seconds (as CPU-s per minute).

    .venv/bin/python benchmarks/idle_cpu.py --tree . [--from-db other/paperboy.db]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from paperboy.clock import utcnow  # noqa: E402
from paperboy.config import Settings  # noqa: E402
from paperboy.search.embed import DIM  # noqa: E402
from paperboy.search.service import model_key  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def prepare(data: Path, from_db: Path | None, placeholders: bool) -> None:
    db = data / "paperboy.db"
    data.mkdir(parents=True, exist_ok=True)
    if not db.exists():
        if from_db is not None:
            src = sqlite3.connect(f"file:{from_db}?mode=ro", uri=True)
            dst = sqlite3.connect(db)
            src.backup(dst)  # reads the source only
            dst.close()
            src.close()
        else:
            env = dict(os.environ, PAPERBOY_DATA_DIR=str(data))
            command = [sys.executable, "-m", "paperboy", "ingest", "jsonl", str(CORPUS)]
            subprocess.run(command, env=env, check=True)
    conn = sqlite3.connect(db)
    with conn:
        stamp = utcnow().isoformat(sep=" ")
        conn.execute("UPDATE papers SET last_changed = ?", (stamp,))
        if placeholders:
            model = model_key(Settings(data_dir=data).embedding_runtime)
            vector = bytes(2 * DIM)  # float16 zeros
            conn.execute(
                "INSERT INTO paper_embeddings (paper_id, model, text_hash, vector, updated_at) "
                "SELECT p.id, ?, p.text_hash, ?, ? FROM papers p WHERE NOT EXISTS (SELECT 1 "
                "FROM paper_embeddings e WHERE e.paper_id = p.id AND e.model = ?)",
                (model, vector, stamp, model),
            )
    conn.close()
    shutil.rmtree(data / "index", ignore_errors=True)


def read_at(data: Path) -> str | None:
    state_file = data / "index" / "lexical" / "paperboy-index.json"
    try:
        return str(json.loads(state_file.read_text()).get("read_at"))
    except (OSError, ValueError):
        return None


def index_caught_up(data: Path) -> bool:
    """The keyword index holds every paper and its last pass began more than the sync
    overlap after the newest change (so the fixed sync re-reads nothing any more; the
    old one re-reads the overlap forever)."""
    state_file = data / "index" / "lexical" / "paperboy-index.json"
    try:
        state = json.loads(state_file.read_text())
    except (OSError, ValueError):
        return False
    conn = sqlite3.connect(f"file:{data / 'paperboy.db'}?mode=ro", uri=True)
    newest = conn.execute("SELECT max(last_changed) FROM papers").fetchone()[0]
    conn.close()
    since, read_at = state.get("since"), state.get("read_at")
    if not since or since.replace("T", " ") < str(newest):
        return False
    if read_at is None:  # the old sync records no read_at
        return True
    overlap = timedelta(seconds=60)
    return datetime.fromisoformat(read_at) - overlap > datetime.fromisoformat(since)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tree", type=Path, default=ROOT, help="paperboy checkout to serve")
    ap.add_argument("--data-dir", type=Path, default=Path("/tmp/paperboy-idle"))
    ap.add_argument("--from-db", type=Path, default=None)
    ap.add_argument("--no-placeholder-embeddings", action="store_true")
    ap.add_argument("--warmup", type=float, default=150.0)
    ap.add_argument("--interval", type=float, default=30.0, help="PAPERBOY_INDEX_INTERVAL")
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    placeholders = not args.no_placeholder_embeddings
    prepare(args.data_dir, args.from_db, placeholders)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(
        os.environ,
        PYTHONPATH=str(args.tree.resolve()),
        PAPERBOY_DATA_DIR=str(args.data_dir),
        PAPERBOY_DIGEST_SCHEDULER="false",
        PAPERBOY_INDEX_INTERVAL=str(args.interval),
        PAPERBOY_BACKGROUND_EMBEDDING="true" if placeholders else "false",
    )
    command = [sys.executable, "-m", "paperboy", "serve", "--no-demo", "--port", str(port)]
    log = (args.data_dir / "serve.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    started = time.monotonic()
    try:
        while not index_caught_up(args.data_dir):
            if server.poll() is not None:
                raise SystemExit((args.data_dir / "serve.log").read_text())
            time.sleep(1)
        caught_up = time.monotonic() - started
        # Wait for the next pass to begin: the one that made the condition true (which
        # may still be re-reading) has then finished.
        begun = read_at(args.data_dir)
        while begun != "None" and read_at(args.data_dir) == begun:
            time.sleep(1)
        time.sleep(max(5.0, args.warmup - (time.monotonic() - started)))
        before = cpu_seconds(server.pid)
        time.sleep(args.seconds)
        used = cpu_seconds(server.pid) - before
    finally:
        server.terminate()
        server.wait()
    papers = sqlite3.connect(args.data_dir / "paperboy.db").execute("SELECT count(*) FROM papers")
    print(f"tree: {args.tree}  papers: {papers.fetchone()[0]}  embeddings: ", end="")
    print("placeholders for the backlog" if placeholders else "background embedding off")
    print(f"keyword index caught up after {caught_up:.0f} s")
    print(f"idle CPU: {used * 60 / args.seconds:.2f} CPU-s per minute")


if __name__ == "__main__":
    main()
