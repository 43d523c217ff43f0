"""Helpers of the multi-process test: generated papers, and real paperboy processes
(`paperboy serve --no-jobs`, `paperboy worker`, `paperboy ingest`) with their logs."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx

from tests.support import ROOT

TOPICS = (
    "graph neural networks message passing over molecular structures",
    "sparse attention in long context language models",
    "diffusion models for image generation and editing",
    "reinforcement learning from human preference feedback",
    "federated optimisation under client heterogeneity",
    "protein structure prediction with geometric deep learning",
    "speech recognition for low resource languages",
    "causal inference from observational health records",
    "robot manipulation policies learned from demonstrations",
    "bayesian optimisation of expensive black box functions",
    "quantum error correction with surface codes",
    "contrastive pretraining of vision and language encoders",
)
WORDS = (
    "robust",
    "scalable",
    "efficient",
    "adaptive",
    "sparse",
    "hierarchical",
    "stochastic",
    "convex",
    "benchmark",
    "dataset",
    "transformer",
    "encoder",
    "decoder",
    "kernel",
    "gradient",
    "regret",
    "bound",
    "latent",
    "embedding",
    "retrieval",
    "calibration",
    "uncertainty",
    "distillation",
    "pruning",
    "curriculum",
    "contrastive",
    "generative",
    "variational",
    "spectral",
    "temporal",
    "spatial",
)
CATEGORIES = ("cs.LG", "cs.CL", "cs.CV", "cs.AI", "stat.ML", "cs.RO", "quant-ph", "q-bio.BM")
SURNAMES = ("Okafor", "Lindqvist", "Tanaka", "Moreau", "Kowalski", "Haddad", "Silva", "Chen")
# Consonants only: a marker word survives the stemmer and the tokenizer unchanged.
MARK_LETTERS = "bcdfghjklmnpqrtvwxz"


def marker(i: int) -> str:
    """A word only paper ``i`` has, to find it by keyword search."""
    out = ""
    for _ in range(4):
        i, digit = divmod(i, len(MARK_LETTERS))
        out += MARK_LETTERS[digit]
    return "qx" + out


def write_papers(path: Path, first: int, n: int, today: date, seed: int) -> list[str]:
    """``n`` papers in paperboy's JSONL shape (short texts: they embed quickly), listed
    today and the two days before, ids ``YYMM.NNNNN`` from ``first``; their ids."""
    rng = random.Random(seed)
    ids = []
    with path.open("w") as out:
        for i in range(first, first + n):
            arxiv_id = f"{today:%y%m}.{i:05d}"
            topic = rng.choice(TOPICS)
            extra = rng.sample(WORDS, 5)
            record = {
                "id": arxiv_id,
                "title": f"{' '.join(extra[:3]).capitalize()} {topic} {marker(i)}",
                "abstract": f"We study {topic} with a {extra[3]} {extra[4]} method.",
                "authors": [f"A. {rng.choice(SURNAMES)}", f"B. {rng.choice(SURNAMES)}"],
                "categories": rng.sample(CATEGORIES, 2),
                "comment": None,
                "listing_date": (today - timedelta(days=i % 3)).isoformat(),
            }
            out.write(json.dumps(record) + "\n")
            ids.append(arxiv_id)
    return ids


def paperboy_env(**values: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **values}


@dataclass
class Process:
    """One paperboy command run as a real process, its output in a log file."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> Process:
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "paperboy", *self.command],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        if self.running:
            assert self.popen is not None
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(30)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM, then SIGKILL after ``timeout``."""
        if not self.running:
            return
        assert self.popen is not None
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()


def logs_of(processes: Iterable[Process], tail: int = 4000) -> str:
    return "\n".join(f"----- {p.name} -----\n{p.output()[-tail:]}" for p in processes)


def wait_for(
    what: str, check: Callable[[], bool], timeout: float, processes: Iterable[Process]
) -> float:
    """Poll ``check`` until it holds; every process must stay alive. Returns the wait."""
    watched = list(processes)
    started = time.monotonic()
    while not check():
        for p in watched:
            assert p.running, f"{p.name} exited while waiting for {what}\n{logs_of(watched)}"
        if time.monotonic() - started > timeout:
            raise AssertionError(
                f"timed out after {timeout:g} s waiting for {what}\n" + logs_of(watched)
            )
        time.sleep(0.25)
    return time.monotonic() - started


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False
