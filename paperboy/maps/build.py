"""Computing the map of a period from its papers (pure: vectors and texts in, a JSON-ready
payload out) and the rule that marks a topic as rising.

Rising: the previous period's papers are given to the current topics by the nearest
centroid in embedding space; a topic is rising when its share of this period's papers is
at least ``RISING_RATIO`` times its share of the previous period's AND at least
``RISING_MIN_GAIN`` (one percentage point) higher, and the previous period had at least
``RISING_MIN_PREVIOUS`` embedded papers (fewer say nothing about shares)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from paperboy.maps.labels import topic_terms
from paperboy.maps.layout import (
    centroids,
    cluster,
    cluster_count,
    layout_2d,
    nearest_topic,
    single_threaded,
)

LAYOUT_VERSION = "1"  # bump when the method changes: every cached map is then stale
RISING_RATIO = 1.5
RISING_MIN_GAIN = 0.01
RISING_MIN_PREVIOUS = 20
CANVAS = 1000.0  # coordinates are scaled into [0, CANVAS], aspect ratio kept


@dataclass(frozen=True, slots=True)
class MapInputs:
    arxiv_ids: list[str]
    titles: list[str]
    abstracts: list[str]
    vectors: np.ndarray
    previous_vectors: np.ndarray  # the previous period's embedded papers


def fingerprint(model: str, current: Sequence[str], previous: Sequence[str]) -> str:
    """A hash of everything a map depends on: the method, the model, and the paper id and
    vector text hash of every embedded paper of the period and of the previous one."""
    digest = hashlib.sha256(f"{LAYOUT_VERSION}|{model}".encode())
    for part in ("current", *current, "previous", *previous):
        digest.update(b"\n" + part.encode())
    return digest.hexdigest()


def rising_topics(
    labels: np.ndarray, previous_labels: np.ndarray, k: int
) -> list[tuple[float, float | None, bool]]:
    """Per topic: (share now, share in the previous period or None, rising)."""
    n, before = len(labels), len(previous_labels)
    now = np.bincount(labels, minlength=k) / n if n else np.zeros(k)
    comparable = before >= RISING_MIN_PREVIOUS
    then = np.bincount(previous_labels, minlength=k) / before if before else np.zeros(k)
    out: list[tuple[float, float | None, bool]] = []
    for c in range(k):
        share, old = float(now[c]), float(then[c])
        rising = comparable and share >= RISING_RATIO * old and share - old >= RISING_MIN_GAIN
        out.append((share, old if comparable else None, bool(rising)))
    return out


def compute_map(inputs: MapInputs) -> dict[str, Any]:
    """Clusters and points of a map (without the period fields the caller adds)."""
    with single_threaded():
        return _compute_map(inputs)


def _compute_map(inputs: MapInputs) -> dict[str, Any]:
    vectors = inputs.vectors
    n = len(vectors)
    k = cluster_count(n)
    labels = cluster(vectors, k)
    xy = _scaled(layout_2d(vectors))
    centres = centroids(vectors, labels, k)
    previous_labels = nearest_topic(inputs.previous_vectors, centres)
    shares = rising_topics(labels, previous_labels, k)
    texts = [f"{t}. {a}" for t, a in zip(inputs.titles, inputs.abstracts, strict=True)]
    terms = topic_terms(texts, labels, k)
    clusters: list[dict[str, Any]] = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        x, y = _label_anchor(xy[members]) if len(members) else (CANVAS / 2, CANVAS / 2)
        share, old, rising = shares[c]
        clusters.append(
            {
                "id": c,
                "label": " · ".join(terms[c]) or f"topic {c + 1}",
                "terms": terms[c],
                "size": len(members),
                "share": round(share, 4),
                "previous_share": None if old is None else round(old, 4),
                "rising": rising,
                "x": x,
                "y": y,
            }
        )
    points = [
        {
            "id": inputs.arxiv_ids[i],
            "x": float(xy[i, 0]),
            "y": float(xy[i, 1]),
            "cluster": int(labels[i]),
            "title": inputs.titles[i],
        }
        for i in range(n)
    ]
    return {
        "clusters": clusters,
        "papers": points,
        "previous_papers": len(inputs.previous_vectors),
    }


def _scaled(xy: np.ndarray) -> np.ndarray:
    """Coordinates moved into [0, CANVAS] (centred, aspect kept), rounded to 0.1 so a
    stored map is compact and compares exactly."""
    if len(xy) == 0:
        return xy
    low, high = xy.min(axis=0), xy.max(axis=0)
    span = float((high - low).max())
    if span == 0:
        return np.full_like(xy, CANVAS / 2)
    scaled = (xy - low) / span * CANVAS
    scaled += (CANVAS - scaled.max(axis=0)) / 2  # centre the shorter axis
    return np.asarray(np.round(scaled, 1))


def _label_anchor(points: np.ndarray) -> tuple[float, float]:
    """Where a topic's label goes: the member point nearest the topic's median, so the
    label sits on the topic even when it is not convex."""
    median = np.median(points, axis=0)
    nearest = points[int(np.argmin(((points - median) ** 2).sum(axis=1)))]
    return float(nearest[0]), float(nearest[1])
