"""The quality harness runs on any BEIR-format set (a tiny one here) and prints the
three modes' figures as one JSON object."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT

DOCS = {
    "d1": (
        "Sparse attention for long documents",
        "Block-sparse attention scales transformers to long inputs.",
    ),
    "d2": ("Protein folding with deep learning", "Predicting 3D protein structure from sequence."),
    "d3": ("Graph neural networks for molecules", "Message passing predicts molecular properties."),
    "d4": (
        "Reinforcement learning for robots",
        "Policies learned from trial and error control arms.",
    ),
    "d5": ("Speech recognition at scale", "Weakly supervised training transcribes audio."),
}
QUERIES = {
    "q1": "efficient attention over long text",
    "q2": "how proteins fold",
    "q3": "robot control by trial and error",
}
QRELS = {"q1": "d1", "q2": "d2", "q3": "d4"}


def test_harness_on_a_tiny_beir_set(tmp_path: Path, model_dir: Path) -> None:
    corpus = tmp_path / "corpus.jsonl.gz"
    with gzip.open(corpus, "wt") as fh:
        for doc_id, (title, text) in DOCS.items():
            fh.write(json.dumps({"_id": doc_id, "title": title, "text": text}) + "\n")
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "".join(json.dumps({"_id": q, "text": t}) + "\n" for q, t in QUERIES.items())
    )
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t1\n" for q, d in QRELS.items())
    )
    env = {**os.environ, "PAPERBOY_MODEL_DIR": str(model_dir)}
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "scifact.py"),
            "--corpus",
            str(corpus),
            "--queries",
            str(queries),
            "--qrels",
            str(qrels),
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    figures = json.loads(done.stdout)
    for mode in ("lexical", "semantic", "hybrid"):
        assert 0.0 <= figures[mode]["ndcg@10"] <= 1.0
        assert 0.0 <= figures[mode]["recall@100"] <= 1.0
    assert figures["semantic"]["ndcg@10"] > 0.9  # every query's answer is obvious
    assert figures["settings"]["documents"] == 5 and figures["settings"]["queries"] == 3
