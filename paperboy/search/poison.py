"""Poison papers: texts the embedding model raises on. Telling them from a broken model
(a known-good probe text fails too) and encoding around them, for both ways papers are
embedded: the direct loop (``search/embed_direct.py``: `paperboy index update|rebuild`)
and the job table's batches (``workqueue/embed_failures.py``).

A model gives the same error for the same text, so retrying a failed step whole would
fail again: the step is bisected instead, down to the papers that fail alone. That costs
about twice the step's encoding, and only when a step fails."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from paperboy.errors import PaperboyError
from paperboy.search.embed import Embedder, paper_text
from paperboy.store.embeddings import TextToEmbed

log = logging.getLogger("paperboy.search")

# Any model encodes this; if it raises too, the embedder is broken, not the papers' texts.
PROBE_TEXT = "A study of attention in neural networks."


class EmbedderBroken(PaperboyError):
    """The embedder fails on any text, the probe included: not the papers' fault."""

    status = 503
    title = "Embedder broken"


def probe_embedder(embedder: Embedder) -> None:
    """Raise EmbedderBroken unless ``embedder`` encodes the known-good probe text."""
    try:
        embedder.encode([PROBE_TEXT])
    except Exception as exc:  # the external model, whatever it raises
        probe = f"{type(exc).__name__}: {exc}"
        raise EmbedderBroken(f"the embedder fails on any text: {probe}") from exc


@dataclass(frozen=True, slots=True)
class PoisonPaper:
    """A paper whose text alone makes the embedder raise ``error``."""

    paper: TextToEmbed
    error: str


@dataclass(slots=True)
class EncodedAroundPoison:
    """The papers of a failed step that did encode (in order, one vector row each) and
    the poison ones."""

    papers: list[TextToEmbed]
    vectors: np.ndarray
    poison: list[PoisonPaper]


def encode_around_poison(
    embedder: Embedder, papers: Sequence[TextToEmbed], batch_size: int
) -> EncodedAroundPoison:
    """Encode ``papers`` after the embedder raised on them together: probe the model
    first (EmbedderBroken if it fails on the probe too), then bisect, so every paper
    that encodes alone (or in a half without poison) gets its vector."""
    probe_embedder(embedder)
    result = EncodedAroundPoison([], np.zeros((0, embedder.dim), dtype=np.float32), [])
    parts: list[np.ndarray] = []
    pending: list[Sequence[TextToEmbed]] = [papers]  # a stack; halves pushed right first
    while pending:
        part = pending.pop()
        try:
            vectors = embedder.encode(
                [paper_text(p.title, p.abstract) for p in part], batch_size=batch_size
            )
        except Exception as exc:  # the external model, whatever it raises
            if len(part) > 1:
                middle = (len(part) + 1) // 2
                pending += [part[middle:], part[:middle]]
                continue
            result.poison.append(PoisonPaper(part[0], f"{type(exc).__name__}: {exc}"))
            continue
        result.papers.extend(part)
        parts.append(np.asarray(vectors, dtype=np.float32))
    if parts:
        result.vectors = np.concatenate(parts)
    for bad in result.poison:
        log.warning(
            "the embedder fails on paper %d (%r): %s; skipped",
            bad.paper.paper_id,
            bad.paper.title[:80],
            bad.error,
        )
    return result
