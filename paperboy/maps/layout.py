"""Placing a period's papers in 2D and grouping them into topics.

Layout: openTSNE (Barnes-Hut t-SNE) on cosine distances, PCA-initialised, with a fixed
seed, in ONE thread (BLAS included, see ``single_threaded``), so the same vectors always
give the same picture: the thread count changes the floating-point order of sums, and
on a shared 2-core machine two spinning threads were 4-7 times slower than one. Measured
against UMAP (docs/maps.md): for a week of 1,687 papers openTSNE takes ~5 s of CPU after
a 1 s import and keeps more neighbourhoods (trustworthiness 0.93) than UMAP (0.91),
whose numba compilation alone costs ~30 s in a fresh process. Barnes-Hut rather than
openTSNE's FFT gradients: at up to ~10,000 points it was 2-5 times faster here.

Clusters: k-means on the embeddings themselves (not on the 2D picture, whose distances
between groups mean little), with a number of clusters that grows with the square root
of the number of papers."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

# openTSNE logs at INFO that it ignores its initialisation options when handed the PCA
# start: true and expected on every build, so only its warnings are let through.
logging.getLogger("openTSNE").setLevel(logging.WARNING)

SEED = 42
THREADS = 1
MIN_CLUSTERS = 5
MAX_CLUSTERS = 30
PAPERS_PER_CLUSTER_ROOT = 2.5  # k = sqrt(n) / 2.5: 18 topics for a week of 2,000
SMALL = 12  # fewer papers than this: no t-SNE (it needs a neighbourhood to speak of)


def cluster_count(n: int) -> int:
    """How many topics a map of ``n`` papers has: at least 5 (when there are at least 10
    papers), at most 30, growing like sqrt(n); tiny maps get one topic per 2 papers."""
    if n <= 0:
        return 0
    wanted = round(math.sqrt(n) / PAPERS_PER_CLUSTER_ROOT)
    wanted = max(MIN_CLUSTERS, min(MAX_CLUSTERS, wanted))
    return max(1, min(wanted, n // 2))


@contextmanager
def single_threaded() -> Iterator[None]:
    """BLAS and OpenMP limited to one thread: deterministic sums, and no threads spinning
    against each other (or against the web server) on a small machine."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


def layout_2d(vectors: np.ndarray) -> np.ndarray:
    """``(n, 2)`` coordinates, the same for the same input on every run."""
    n = len(vectors)
    if n == 0:
        return np.zeros((0, 2))
    if n < SMALL:
        return _pca_2d(vectors)
    from openTSNE import TSNE  # imported here: 1 s, paid only by a build

    perplexity = min(30.0, (n - 1) / 3.0)
    embedding = TSNE(
        n_components=2,
        perplexity=perplexity,
        metric="cosine",
        initialization="pca",
        random_state=SEED,
        n_jobs=THREADS,
        negative_gradient_method="bh",
        verbose=False,
    ).fit(np.ascontiguousarray(vectors, dtype=np.float64))
    return np.asarray(embedding, dtype=np.float64)


def _pca_2d(vectors: np.ndarray) -> np.ndarray:
    centred = np.asarray(vectors, dtype=np.float64) - vectors.mean(axis=0)
    if len(vectors) < 2 or not centred.any():
        return np.zeros((len(vectors), 2))
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    projected = centred @ components[:2].T
    out = np.zeros((len(vectors), 2))
    out[:, : projected.shape[1]] = projected
    # SVD's sign is arbitrary; fix it so the picture does not flip between runs.
    for axis in range(projected.shape[1]):
        if out[np.argmax(np.abs(out[:, axis])), axis] < 0:
            out[:, axis] = -out[:, axis]
    return out


def cluster(vectors: np.ndarray, k: int) -> np.ndarray:
    """The topic (0..k-1) of every paper: k-means on the unit-length embeddings,
    topics numbered by size (0 is the largest), ties by first paper."""
    n = len(vectors)
    if n == 0 or k <= 0:
        return np.zeros(n, dtype=np.int64)
    if k == 1:
        return np.zeros(n, dtype=np.int64)
    from sklearn.cluster import KMeans

    raw = KMeans(n_clusters=k, n_init=4, random_state=SEED).fit_predict(
        np.asarray(vectors, dtype=np.float64)
    )
    sizes = np.bincount(raw, minlength=k)
    first = [int(np.argmax(raw == c)) if sizes[c] else n for c in range(k)]
    order = sorted(range(k), key=lambda c: (-sizes[c], first[c]))
    renumber = np.empty(k, dtype=np.int64)
    for new, old in enumerate(order):
        renumber[old] = new
    return np.asarray(renumber[raw], dtype=np.int64)


def centroids(vectors: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """The unit-length mean vector of each topic (rows of zeros for an empty topic)."""
    out = np.zeros((k, vectors.shape[1]), dtype=np.float64)
    for c in range(k):
        members = vectors[labels == c]
        if len(members):
            mean = members.mean(axis=0)
            norm = np.linalg.norm(mean)
            out[c] = mean / norm if norm else mean
    return out


def nearest_topic(vectors: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Each vector's topic by the nearest centroid (highest cosine; vectors are unit)."""
    if len(vectors) == 0 or len(centres) == 0:
        return np.zeros(len(vectors), dtype=np.int64)
    return np.asarray(np.argmax(np.asarray(vectors, np.float64) @ centres.T, axis=1), np.int64)
