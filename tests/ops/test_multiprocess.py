"""A site of three web processes and two workers on one PostgreSQL database, all real
processes of the CLI (`paperboy serve --no-jobs` x3, `paperboy worker` x2, `paperboy
ingest jsonl`), mail to a real SMTP server (aiosmtpd).

While 5,000 papers are ingested, readers search and vote through the HTTP API of all
three nodes. Then: every node finds new papers by keyword search within 10 s of their
commit (measured per node, with the product's default index interval); every digest
reaches the SMTP server exactly once although two workers could run the sender; one
worker is SIGKILLed while it holds an embedding batch and the other finishes it: every
paper ends with exactly one embedding; every vote a reader made is stored as its last
answer said; one scrape of `/metrics` counts the requests of all three web processes.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from paperboy.clock import utcnow
from paperboy.ingest.jsonl import ingest_jsonl
from paperboy.metrics import MULTIPROC_ENV
from paperboy.search.embed import DIM, load_embedder
from paperboy.search.service import model_key
from paperboy.store import Store
from paperboy.workqueue.embedding import BATCH_KIND
from tests.accounts.conftest import smtp_server
from tests.digest.conftest import ScriptedMailbox, subscribe
from tests.ops.cluster import (
    WORDS,
    Process,
    answers,
    logs_of,
    marker,
    paperboy_env,
    wait_for,
    write_papers,
)
from tests.support import free_port

NODES = 3
WORKERS = 2
READERS = 3
SEED_PAPERS = 100  # stored before the site starts, so the digests have content
PAPERS = 5000  # ingested while the site runs
SUBSCRIBERS = 12
LAG_LIMIT = 10.0  # seconds from a paper's commit to its being found on a node
SEARCH_ROUTE = "/api/search"
VOTE_ROUTE = "/api/papers/{arxiv_id:path}/vote"
# Papers whose commit and search lag are timed: the first and last of the ingest and
# three between (each in a different transaction of the ingest).
TIMED = (0, PAPERS // 4, PAPERS // 2, 3 * PAPERS // 4, PAPERS - 1)


@dataclass
class Traffic:
    """What the readers and probes did, shared between their threads."""

    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    errors: list[str] = field(default_factory=list)
    answered: Counter[str] = field(default_factory=Counter)  # route -> answers received
    last_vote: dict[tuple[int, str], bool] = field(default_factory=dict)  # (reader, id)
    committed: dict[str, float] = field(default_factory=dict)  # id -> first seen stored
    found: dict[tuple[int, str], float] = field(default_factory=dict)  # (node, id) -> when

    def client(self) -> httpx.Client:
        def note(response: httpx.Response) -> None:
            route = SEARCH_ROUTE if response.url.path == SEARCH_ROUTE else VOTE_ROUTE
            with self.lock:
                self.answered[route] += 1

        return httpx.Client(timeout=60, event_hooks={"response": [note]})

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def _reader(traffic: Traffic, bases: list[str], number: int, token: str, seed: int) -> None:
    """Searches and toggles upvotes through the API, node after node, until stopped."""
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    with traffic.client() as client:
        turn = 0
        while not traffic.stop.is_set():
            base = bases[turn % len(bases)]
            turn += 1
            mode = "hybrid" if turn % 4 == 0 else "lexical"
            q = " ".join(rng.sample(WORDS, 2))
            found = client.get(f"{base}{SEARCH_ROUTE}", params={"q": q, "mode": mode})
            if found.status_code != 200:
                traffic.error(f"search {base} {q!r}: {found.status_code} {found.text[:300]}")
                continue
            results = found.json()["results"]
            if results:
                arxiv_id = rng.choice(results)["id"]
                vote = client.post(f"{base}/api/papers/{arxiv_id}/vote", headers=headers)
                if vote.status_code != 200:
                    traffic.error(f"vote {base} {arxiv_id}: {vote.status_code} {vote.text[:300]}")
                else:
                    with traffic.lock:
                        traffic.last_vote[(number, arxiv_id)] = bool(vote.json()["voted"])
            traffic.stop.wait(0.2)


def _watch_commits(traffic: Traffic, store: Store, timed: dict[str, str]) -> None:
    """Notes when each timed paper is first visible in the database (its commit, give
    or take the 50 ms between looks)."""
    while not traffic.stop.is_set() and len(traffic.committed) < len(timed):
        seen = store.papers.get_papers([a for a in timed if a not in traffic.committed])
        now = time.monotonic()
        with traffic.lock:
            for arxiv_id in seen:
                traffic.committed[arxiv_id] = now
        traffic.stop.wait(0.05)


def _probe(traffic: Traffic, node: int, base: str, timed: dict[str, str]) -> None:
    """Searches one node for each committed timed paper by its marker word until found."""
    with traffic.client() as client:
        while not traffic.stop.is_set():
            with traffic.lock:
                pending = [a for a in traffic.committed if (node, a) not in traffic.found]
                done = len(traffic.found)
            if done == len(timed) * NODES:
                return
            for arxiv_id in pending:
                params = {"q": timed[arxiv_id], "mode": "lexical"}
                answer = client.get(f"{base}{SEARCH_ROUTE}", params=params)
                if answer.status_code != 200:
                    traffic.error(f"probe {base}: {answer.status_code} {answer.text[:300]}")
                elif any(r["id"] == arxiv_id for r in answer.json()["results"]):
                    with traffic.lock:
                        traffic.found[(node, arxiv_id)] = time.monotonic()
            traffic.stop.wait(0.2)


def _says_running(worker: Process) -> Callable[[], bool]:
    return lambda: "paperboy worker running" in worker.output()


def _wait_ready(node: Process, processes: list[Process]) -> None:
    """Wait for the node's /ready; a free port taken by someone else before the node
    bound it (tests run in parallel) gets the node restarted on another one."""
    for attempt in range(3):
        try:
            wait_for(f"{node.name} /ready", lambda: answers(f"{node.base}/ready"), 180, processes)
            return
        except AssertionError:
            if node.running or "address already in use" not in node.output() or attempt == 2:
                raise
        node.port = free_port()
        node.command[-1] = str(node.port)
        node.start()


def _metric_total(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and labels.items() <= sample.labels.items():
                total += sample.value
    return total


@pytest.fixture
def mailbox() -> Iterator[tuple[ScriptedMailbox, int]]:
    box = ScriptedMailbox()
    with smtp_server(box) as port:
        yield box, port


@pytest.mark.slow  # 1-2 minutes: five real processes embed 5,100 papers on two cores
def test_three_web_processes_and_two_workers_on_postgresql(
    postgres_url: str, tmp_path: Path, model_dir: Path, mailbox: tuple[ScriptedMailbox, int]
) -> None:
    started = time.monotonic()
    box, smtp_port = mailbox
    load_embedder(model_dir)  # exported once here, not by five processes at once
    today = utcnow().date()
    store = Store.open(postgres_url)  # migrates the fresh database
    processes: list[Process] = []
    traffic = Traffic()
    threads: list[threading.Thread] = []
    try:
        seed_file = tmp_path / "seed.jsonl"
        write_papers(seed_file, 10000, SEED_PAPERS, today, seed=1)
        assert ingest_jsonl(store, seed_file).added == SEED_PAPERS
        live_file = tmp_path / "live.jsonl"
        live_ids = write_papers(live_file, 20000, PAPERS, today, seed=2)
        timed = {live_ids[i]: marker(20000 + i) for i in TIMED}
        tokens = []
        for n in range(READERS):
            user = store.accounts.create_user(f"reader{n}@example.org")
            tokens.append(store.tokens.create_token(user.id, "api", "load")[1])
        emails = [f"subscriber{n:02d}@example.org" for n in range(SUBSCRIBERS)]
        for email in emails:
            # Weekly on today's weekday: due now (digest hour 0), covering the last 7 days.
            subscribe(store, email, frequency="weekly", weekday=today.weekday(), max_papers=5)

        prom = tmp_path / "prom"
        prom.mkdir()
        common = {
            "PAPERBOY_DATABASE_URL": postgres_url,
            "PAPERBOY_MODEL_DIR": str(model_dir),
            "PAPERBOY_LOAD_DEMO": "false",
            "PAPERBOY_BASE_URL": "http://testserver",
            # The rate limiter is measured elsewhere; here all readers share one address.
            "PAPERBOY_API_RATE_LIMIT": "false",
            "PAPERBOY_SMTP_HOST": "127.0.0.1",
            "PAPERBOY_SMTP_PORT": str(smtp_port),
            "PAPERBOY_DIGEST_HOUR": "0",
            "PAPERBOY_DIGEST_TIMEZONE": "UTC",
            "PAPERBOY_MAP_REFRESH_MINUTES": "0",
            # A killed worker's batch goes to the other one after 15 s, not the default 60.
            "PAPERBOY_JOB_LEASE_SECONDS": "15",
            "PAPERBOY_JOB_HEARTBEAT_SECONDS": "2",
            MULTIPROC_ENV: str(prom),
        }
        for n in range(NODES):
            port = free_port()
            env = paperboy_env(**common, PAPERBOY_DATA_DIR=str(tmp_path / f"node{n}"))
            command = ["serve", "--no-jobs", "--no-demo", "--port", str(port)]
            log = tmp_path / f"node{n}.log"
            processes.append(Process(f"node{n}", command, env, log, port).start())
        workers = []
        for n in range(WORKERS):
            env = paperboy_env(**common, PAPERBOY_DATA_DIR=str(tmp_path / f"worker{n}"))
            worker = Process(f"worker{n}", ["worker"], env, tmp_path / f"worker{n}.log")
            workers.append(worker.start())
        processes += workers
        nodes = processes[:NODES]
        for node in nodes:  # ready: the node's own keyword index has read the database
            _wait_ready(node, processes)
        bases = [node.base for node in nodes]
        for worker in workers:
            wait_for(f"{worker.name} to run", _says_running(worker), 180, processes)
        booted = time.monotonic() - started

        threads = [
            threading.Thread(target=_reader, args=(traffic, bases, n, tokens[n], n), daemon=True)
            for n in range(READERS)
        ]
        threads.append(
            threading.Thread(target=_watch_commits, args=(traffic, store, timed), daemon=True)
        )
        threads += [
            threading.Thread(target=_probe, args=(traffic, n, bases[n], timed), daemon=True)
            for n in range(NODES)
        ]
        for thread in threads:
            thread.start()
        ingest_env = paperboy_env(**common, PAPERBOY_DATA_DIR=str(tmp_path / "ingest"))
        ingest = Process(
            "ingest",
            ["ingest", "--no-index", "jsonl", str(live_file)],
            ingest_env,
            tmp_path / "ingest.log",
        ).start()
        assert ingest.popen is not None
        ingest_started = time.monotonic()

        # SIGKILL one worker while it holds an embedding batch (it is encoding).
        total = SEED_PAPERS + PAPERS
        model = model_key("onnx-int8")
        victim = workers[0]
        assert victim.popen is not None
        owner_suffix = f":{victim.popen.pid}"

        def embedded() -> int:
            return store.papers.count_papers() - store.embeddings.count_to_embed(model)

        held: list[int] = []

        def victim_mid_batch() -> bool:
            if embedded() < total // 5:
                return False
            running = store.jobs.list_jobs(BATCH_KIND, ("running",))
            held[:] = [j.id for j in running if (j.lease_owner or "").endswith(owner_suffix)]
            return bool(held)

        wait_for("a worker in the middle of an embedding batch", victim_mid_batch, 240, processes)
        victim.kill()  # at once: a batch takes seconds, this is a few milliseconds later
        at_kill = embedded()
        # What it held when it died (a dead process changes nothing): the batch it was
        # encoding, unless it finished it in those milliseconds.
        running = store.jobs.list_jobs(BATCH_KIND, ("running",))
        held[:] = [j.id for j in running if (j.lease_owner or "").endswith(owner_suffix)]
        assert held, "the worker finished its batch just before the kill"
        wait_for("the ingest", lambda: not ingest.running, 120, [])
        assert ingest.popen.returncode == 0, ingest.output()
        ingested = time.monotonic() - ingest_started
        assert at_kill < total, f"the embedding ended before the kill ({at_kill})"
        survivors = [p for p in processes if p is not victim]
        wait_for("every paper embedded", lambda: embedded() == total, 400, survivors)
        embedding_done = time.monotonic() - started

        wait_for(
            "every node to find the timed papers",
            lambda: len(traffic.found) == len(timed) * NODES,
            60,
            survivors,
        )
        wait_for("the digests", lambda: len(box.messages) >= SUBSCRIBERS, 120, survivors)
        time.sleep(1.0)  # a second sender would have sent its copy by now
        traffic.stop.set()
        for thread in threads:
            thread.join(60)
        time.sleep(0.5)  # the last answers' counters are written after they are sent
        scrape = httpx.get(f"{bases[0]}/metrics", timeout=60)
        assert scrape.status_code == 200
        metrics = scrape.text

        # -- what the site did --------------------------------------------------------
        assert not traffic.errors, traffic.errors[:10]
        lags = {
            (node, a): traffic.found[(node, a)] - traffic.committed[a]
            for node in range(NODES)
            for a in timed
        }
        worst = max(lags.values())
        print(
            f"booted in {booted:.1f} s; ingest of {PAPERS} papers {ingested:.1f} s; "
            f"search lag per node max {worst:.2f} s; embedding done at {embedding_done:.1f} s "
            f"(worker killed at {at_kill}/{total} embedded); "
            f"{sum(traffic.answered.values())} API answers; "
            f"total {time.monotonic() - started:.1f} s"
        )
        assert worst <= LAG_LIMIT, sorted(lags.items(), key=lambda kv: -kv[1])[:5]

        # Every paper has its one embedding, computed once: the finished batches (the
        # count each kept), the workers' log lines and /metrics all say `total`.
        assert store.papers.count_papers() == total
        ids, _ = store.embeddings.embeddings_for(model, DIM, range(1, total + 10_000))
        assert len(ids) == len(set(ids)) == total
        batches = store.jobs.list_jobs(BATCH_KIND)
        assert {j.state for j in batches} == {"done"}, [(j.key, j.state) for j in batches]
        assert sum(int(j.payload["embedded"]) for j in batches) == total
        done_line = re.compile(rf"kind={BATCH_KIND} \S+ outcome=done .*? embedded=(\d+)")
        logged = sum(int(n) for w in workers for n in done_line.findall(w.output()))
        assert logged == total
        items = _metric_total(metrics, "paperboy_job_items_total", kind=BATCH_KIND, item="embedded")
        assert items == total
        # The batch the killed worker held was taken over and finished by the other.
        by_id = {j.id: j for j in batches}
        assert all(by_id[i].attempts >= 2 for i in held), [by_id[i] for i in held]

        counts = box.recipients()
        assert sorted(counts) == sorted(emails), counts
        assert set(counts.values()) == {1}, counts  # each digest once, despite two senders
        assert store.digests.outbox_counts() == {"sent": SUBSCRIBERS}

        assert traffic.last_vote, "the readers never voted"
        for n in range(READERS):
            reader = store.accounts.get_user_by_email(f"reader{n}@example.org")
            assert reader is not None
            mine = {a: v for (r, a), v in traffic.last_vote.items() if r == n}
            voted_on = store.papers.get_papers(list(mine))
            stored = store.votes.voted_by(reader.id, (p.id for p in voted_on.values()))
            expected = {voted_on[a].id for a, voted in mine.items() if voted}
            assert stored == expected, n

        # One scrape of one node counts the answers of all three, and the workers' runs.
        for route in (SEARCH_ROUTE, VOTE_ROUTE):
            counted = _metric_total(metrics, "paperboy_http_requests_total", route=route)
            assert counted == traffic.answered[route], route
        digest_runs = _metric_total(metrics, "paperboy_job_runs_total", kind="digest_run")
        assert digest_runs >= 1  # a worker's: the web processes run no digests
    except BaseException:
        print(logs_of([*processes]))
        raise
    finally:
        traffic.stop.set()
        for p in processes:
            p.kill()
        for thread in threads:
            thread.join(10)
        store.close()
