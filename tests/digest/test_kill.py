"""Exactly once under SIGKILL: the real `paperboy digest send-due` is killed ten times at
random points (while starting and enqueueing, or between and inside SMTP
transactions), then run to the end; the SMTP server must have one digest per due
subscriber, never two. The one documented exception (digest/outbox.py): a kill in the
instant between a digest's claim and the final dot of its DATA loses that digest rather
than risk sending it twice; so a digest may be missing only if its SMTP transaction was
cut off, by one of the kills (at most one per kill)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from paperboy.config import Settings
from paperboy.store import Store
from tests.digest.conftest import DUE, ScriptedMailbox, subscribe

SUBSCRIBERS = 120
KILLS = 10


def _sender_env(settings: Settings, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PAPERBOY_DATA_DIR": str(settings.data_dir),
            "PAPERBOY_MODEL_DIR": str(settings.model_dir),
            "PAPERBOY_BASE_URL": "http://testserver",
            "PAPERBOY_SMTP_HOST": "127.0.0.1",
            "PAPERBOY_SMTP_PORT": str(port),
            "PAPERBOY_DIGEST_SCHEDULER": "false",
            # Throttled so a run lasts seconds and the kills land in the middle of it.
            "PAPERBOY_DIGEST_RATE": "50",
        }
    )
    return env


def _start(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    paperboy = Path(sys.executable).with_name("paperboy")
    command = [str(paperboy), "digest", "send-due", "--now", DUE.isoformat()]
    with (settings.data_dir / "sender.log").open("ab") as log:
        return subprocess.Popen(
            command, env=_sender_env(settings, port), stdout=log, stderr=subprocess.STDOUT
        )


def test_sigkill_at_random_points_then_rerun_sends_each_digest_once(
    settings: Settings, loaded_store: Store, smtp: tuple[ScriptedMailbox, int]
) -> None:
    box, port = smtp
    rng = random.Random()
    seed = rng.randrange(1 << 30)
    rng.seed(seed)
    emails = [f"reader{i:03d}@example.org" for i in range(SUBSCRIBERS)]
    for i, email in enumerate(emails):
        # Varied preferences: all due on Tuesday 30 June 2026, all with papers to send.
        if i % 3 == 0:
            subscribe(loaded_store, email, max_papers=1 + i % 10)
        elif i % 3 == 1:
            subscribe(loaded_store, email, frequency="weekly", weekday=1, categories="cs.AI, cs.LG")
        else:
            subscribe(loaded_store, email, exclude_keywords="quantum", max_papers=5)
    assert shutil.which(str(Path(sys.executable).with_name("paperboy")))
    kills = []
    for round_ in range(KILLS):
        before = len(box.messages)
        sender = _start(settings, port)
        more = rng.randint(0, 6)
        if more == 0:
            # While starting, enqueueing or composing the first digest: a random time,
            # or the moment the first message arrives, whichever comes first.
            deadline = time.monotonic() + rng.uniform(0.2, 1.5)
            while time.monotonic() < deadline and len(box.messages) == before:
                time.sleep(0.001)
        else:
            # After `more` messages, plus up to one message's time (the sender is
            # throttled to 50/s: 20 ms), so the kill lands anywhere in the cycle:
            # composing, inside the SMTP transaction, around the outbox update.
            while len(box.messages) < before + more and sender.poll() is None:
                time.sleep(0.0005)
            time.sleep(rng.uniform(0, 0.02))
        if sender.poll() is None:
            sender.send_signal(signal.SIGKILL)
        sender.wait(30)
        kills.append((round_, sender.returncode, len(box.messages) - before))
    received_before_rerun = len(box.messages)
    assert received_before_rerun < SUBSCRIBERS, f"the kills came too late to test anything: {kills}"
    killed = sum(1 for _, code, _ in kills if code == -signal.SIGKILL)
    assert killed == KILLS, kills

    for _ in range(2):  # run to the end, then once more: the second sends nothing
        final = _start(settings, port)
        final.wait(120)
        assert final.returncode == 0, (settings.data_dir / "sender.log").read_text()[-3000:]

    counts = box.recipients()
    duplicates = {e: n for e, n in counts.items() if n > 1}
    missing = [e for e in emails if counts[e] == 0]
    assert not duplicates, f"seed {seed}, kills {kills}: sent twice: {duplicates}"
    unexplained = set(missing) - box.cut()
    assert not unexplained, f"seed {seed}, kills {kills}: never sent: {sorted(unexplained)}"
    assert len(missing) <= killed, f"seed {seed}, kills {kills}: lost {missing}"
    assert len(box.messages) == SUBSCRIBERS - len(missing)
    # Lost ones were claimed (marked sent) before the kill: nothing is left pending.
    assert loaded_store.digests.outbox_counts() == {"sent": SUBSCRIBERS}
