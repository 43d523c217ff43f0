"""A block of paper vectors and the two ways of searching it: exact and approximate.

Below ``PAPERBOY_VECTOR_INDEX_THRESHOLD`` rows a block keeps float32 vectors and scores
every row (one matrix-vector product: exact, about 3 ms at 75k rows). At or above it the
block keeps float16 vectors (the precision they are stored in, so nothing is lost) plus
one 768-bit *level code* per row: each coordinate is put on one of three levels (below,
within or above the median spread around the corpus mean) written as two bits, so the
Hamming distance between two codes counts level steps, a coarse L1 distance. A query

1. computes its own code; a first pass reads half of every row's code (both level bits
   of coordinates 0-191: six 64-bit words, XOR and ``np.bitwise_count`` in cache-sized
   slices, the rows split across threads) and keeps the rows within a cut-off that about
   1% of the rows reach (estimated on a strided sample of 20,000);
2. a second pass adds the other half of the code for those rows only and takes the
   nearest, about ``PAPERBOY_VECTOR_RESCORE`` of them (a histogram of the 769 possible
   distances gives the cut-off without sorting);
3. scores those rows exactly (float16 -> float32 dot products) and ranks them.

At 2.7 million rows this reads 130 MB of codes per query instead of 4 GB of float32
vectors (benchmarks/scale.py and docs/deploy.md have the recall and speed; one bit per
coordinate, the sign, gave 0.925 recall@10 at 2.7M). Filters (dates, categories,
allowed ids) are applied in the first pass, so the candidates all pass them; when few
rows pass, all of them get the whole distance, and when fewer pass than the rescore
depth every one of them is scored and the search is exact.

Why hand-written and not a library: measured at 2.7M on this 2-core box, faiss-cpu's
``IndexBinaryFlat`` (AVX-512 popcount) and simsimd's Hamming ``cdist`` both took 37-44
ms a query for the whole 768-bit scan on one core and did not speed up with two threads
for a single query (faiss parallelises across queries), no better than the NumPy scan;
HNSW/IVF indexes (usearch, faiss) need minutes of build at 2.7M and oversampling for
filters (docs/search.md). The two-pass scan reads half the bytes and needs no new
dependency.

A block is immutable: the vector index (``semantic.py``) replaces blocks, never edits
them, so a search always reads one consistent block.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from paperboy.search.matvec import matvec

CODE_WORDS = 12  # 384 dimensions x 2 bits / 64 bits
# The two-pass scan: the first pass reads FIRST_WORDS of every row (kept column-major,
# one contiguous array per word) and keeps the rows within a cut-off that about
# FIRST_PASS_SHARE of the rows reach (at least FIRST_PASS_DEPTHS times the rescore
# depth); the second reads the REST_WORDS of those only (kept row-major: one row's
# words are adjacent, so gathering a row is one read).
FIRST_WORDS = (0, 1, 2, 6, 7, 8)  # both level bits of coordinates 0-191
REST_WORDS = (3, 4, 5, 9, 10, 11)
FIRST_PASS_SHARE = 0.01
FIRST_PASS_DEPTHS = 4
SLICE = 1 << 16  # rows per step of the scan (measured best of 4k..256k)
FILTERED = CODE_WORDS * 64 + 1  # the distance given to rows a filter removes
# NumPy ufuncs release the GIL, so threads scan disjoint row ranges in parallel; below
# PART_MIN rows a part the thread hand-off costs more than it saves.
SCAN_THREADS = max(1, min(4, os.cpu_count() or 1))
PART_MIN = 4 * SLICE
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()
# rows scored exactly to estimate how many papers pass the floor, and whose first-pass
# distances estimate the first pass's cut-off
COUNT_SAMPLE = 20_000


def level_codes(vectors: np.ndarray, centre: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Column-major codes (CODE_WORDS, n) of ``vectors``: per coordinate, two bits
    saying whether it lies above ``centre - spread`` and above ``centre + spread``
    (three levels; the Hamming distance between two codes counts level steps)."""
    out = np.empty((CODE_WORDS, len(vectors)), np.uint64)
    for start in range(0, len(vectors), 65_536):
        part = vectors[start : start + 65_536].astype(np.float32) - centre
        levels = np.concatenate([part > -spread, part > spread], axis=1)
        bits = np.packbits(levels, axis=1).view(np.uint64)
        out[:, start : start + len(part)] = bits.T
    return out


def split_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first-pass words column-major, the rest row-major) of level codes."""
    first = np.ascontiguousarray(codes[list(FIRST_WORDS)])
    rest = np.ascontiguousarray(codes[list(REST_WORDS)].T)
    return first, rest


def scan(
    first: np.ndarray, query: np.ndarray, mask: np.ndarray | None, cut: int
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, their distances) of the rows within ``cut`` of ``query`` (its first-pass
    words) over the column-major ``first`` words and passing ``mask``; the rows split
    across SCAN_THREADS threads."""
    n = first.shape[1]
    parts = min(SCAN_THREADS, max(1, n // PART_MIN))
    if parts == 1:
        return _scan(first, query, mask, cut, 0, n)
    # Part boundaries on slice multiples, so each thread's last slice is its only short one.
    bounds = [min(n, (n * i // parts) // SLICE * SLICE) for i in range(parts)] + [n]
    jobs = [
        _pool().submit(_scan, first, query, mask, cut, bounds[i], bounds[i + 1])
        for i in range(parts)
    ]
    found = [job.result() for job in jobs]
    return np.concatenate([r for r, _ in found]), np.concatenate([d for _, d in found])


def _scan(
    first: np.ndarray, query: np.ndarray, mask: np.ndarray | None, cut: int, start: int, end: int
) -> tuple[np.ndarray, np.ndarray]:
    word = np.empty(SLICE, np.uint64)
    count = np.empty(SLICE, np.uint8)
    three = np.empty(SLICE, np.uint8)
    dist = np.empty(SLICE, np.uint16)
    rows, dists = [], []
    for at in range(start, end, SLICE):
        m = min(end, at + SLICE) - at
        for i in range(len(query)):
            np.bitwise_xor(first[i, at : at + m], query[i], out=word[:m])
            # Three words differ in at most 192 bits, so their counts add up in bytes
            # (cheaper than 16-bit adds) before joining the total.
            if i % 3 == 0:
                np.bitwise_count(word[:m], out=three[:m])
            else:
                np.bitwise_count(word[:m], out=count[:m])
                np.add(three[:m], count[:m], out=three[:m])
            if i == 2:
                dist[:m] = three[:m]
            elif i % 3 == 2:
                np.add(dist[:m], three[:m], out=dist[:m])
        if mask is not None:
            dist[:m][~mask[at : at + m]] = FILTERED
        # Selected while the slice is in cache: no pass over all n distances after.
        hit = np.flatnonzero(dist[:m] <= cut)
        rows.append(hit + at)
        dists.append(dist[hit])
    return np.concatenate(rows), np.concatenate(dists)


def first_distances(first: np.ndarray, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """First-pass distances (uint16) from ``query`` to ``rows``."""
    out = np.zeros(len(rows), np.uint16)
    for i in range(len(query)):
        out += np.bitwise_count(np.bitwise_xor(first[i, rows], query[i]))
    return out


def rest_distances(rest: np.ndarray, query: np.ndarray, rows: np.ndarray | slice) -> np.ndarray:
    """Distances (uint16) from ``query`` to ``rows`` of the row-major codes ``rest``."""
    counts = np.bitwise_count(np.bitwise_xor(rest[rows], query))
    total: np.ndarray = counts.sum(axis=1, dtype=np.uint16)
    return total


def nearest(dist: np.ndarray, depth: int) -> np.ndarray:
    """Positions of the ``depth`` smallest distances, all ties at the cut-off included (a
    histogram of the 769 possible distances gives the cut-off without sorting)."""
    counts = np.cumsum(np.bincount(dist, minlength=FILTERED + 1)[:FILTERED])
    # The first distance reaching the depth; all real distances when none does.
    cut = min(int(np.searchsorted(counts, depth)), FILTERED - 1)
    return np.flatnonzero(dist <= cut)


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(SCAN_THREADS, thread_name_prefix="vector-scan")
        return _POOL


@dataclass(frozen=True)
class BlockRows:
    """Rows to build a block from, in order: ids, vectors, days, categories."""

    ids: list[str]
    vectors: np.ndarray
    days: np.ndarray  # int32 day numbers (see day_number)
    categories: list[list[str]]


@dataclass(frozen=True, eq=False)
class VectorBlock:
    """Vectors with what filters need, searched exactly or by level codes."""

    vectors: np.ndarray  # float32 (exact) or float16 (approximate)
    ids: list[str] = field(default_factory=list)
    row_of: dict[str, int] = field(default_factory=dict)
    days: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    # hash of each row's categories: enough to see that they changed
    category_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    rows_of_category: dict[str, np.ndarray] = field(default_factory=dict)
    codes: np.ndarray | None = None  # (FIRST_WORDS, n) when approximate
    rest: np.ndarray | None = None  # (n, REST_WORDS) when approximate
    centre: np.ndarray | None = None
    spread: np.ndarray | None = None
    sample_rows: np.ndarray | None = None
    sample: np.ndarray | None = None  # float32 vectors of sample_rows
    sample_codes: np.ndarray | None = None  # (len(sample_rows), FIRST_WORDS) row-major
    rescore: int = 0

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def code_bytes(self) -> int:
        """Memory of the level codes (0 for an exact block)."""
        return sum(a.nbytes for a in (self.codes, self.rest) if a is not None)

    @property
    def approximate(self) -> bool:
        return self.codes is not None

    @classmethod
    def empty(cls, dim: int) -> VectorBlock:
        return cls(np.zeros((0, dim), np.float32))

    @classmethod
    def build(cls, rows: BlockRows, *, threshold: int, rescore: int) -> VectorBlock:
        """A block of ``rows``: approximate when there are at least ``threshold``."""
        n = len(rows.ids)
        by_cat: dict[str, list[int]] = {}
        keys = np.empty(n, np.int64)
        for row, cats in enumerate(rows.categories):
            keys[row] = category_key(cats)
            for cat in cats:
                by_cat.setdefault(cat.lower(), []).append(row)
        exact = n == 0 or n < threshold
        block = cls(
            np.asarray(rows.vectors, np.float32 if exact else np.float16),
            rows.ids,
            {a: i for i, a in enumerate(rows.ids)},
            np.asarray(rows.days, np.int32),
            keys,
            {c: np.asarray(r, np.int32) for c, r in by_cat.items()},
        )
        if exact:
            return block
        step = max(1, n // COUNT_SAMPLE)
        sample_rows = np.arange(0, n, step)
        sample = block.vectors[sample_rows].astype(np.float32)
        centre = sample.mean(axis=0)
        # The median distance from the centre per coordinate: the middle level holds
        # half the values, each outer level a quarter.
        spread = np.median(np.abs(sample - centre), axis=0)
        first, rest = split_codes(level_codes(block.vectors, centre, spread))
        return replace(
            block,
            codes=first,
            rest=rest,
            centre=centre,
            spread=spread,
            sample_rows=sample_rows,
            sample=sample,
            sample_codes=np.ascontiguousarray(first[:, sample_rows].T),
            rescore=max(1, rescore),
        )

    def vector(self, row: int) -> np.ndarray:
        return np.asarray(self.vectors[row], np.float32)

    def same(self, row: int, vector: np.ndarray, day: int, categories: list[str]) -> bool:
        """Whether ``row`` already holds this vector, day and categories."""
        return (
            int(self.days[row]) == day
            and int(self.category_keys[row]) == category_key(categories)
            and np.array_equal(self.vectors[row], vector.astype(self.vectors.dtype))
        )

    def mask(
        self,
        date_range: tuple[int, int] | None,
        categories: Sequence[str],
        id_sets: Sequence[set[str] | frozenset[str]],
    ) -> np.ndarray | None:
        """Rows passing every filter (None: no filter)."""
        n = len(self.ids)
        combined: np.ndarray | None = None

        def both(m: np.ndarray) -> None:
            nonlocal combined
            combined = m if combined is None else combined & m

        if date_range is not None:
            both((self.days >= date_range[0]) & (self.days <= date_range[1]))
        if categories:
            m = np.zeros(n, dtype=bool)
            for cat in categories:
                m[self.rows_of_category.get(cat.lower(), np.zeros(0, np.int32))] = True
            both(m)
        for ids in id_sets:
            m = np.zeros(n, dtype=bool)
            m[[self.row_of[a] for a in ids if a in self.row_of]] = True
            both(m)
        return combined

    def scored(
        self, query: np.ndarray, mask: np.ndarray | None, min_score: float
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """(rows, their exact scores, papers passing the filters and the floor).

        Exact blocks score every row (filtered rows get -inf); approximate blocks return
        only the rescored candidates, and the count is estimated from a fixed sample
        unless the floor was reached inside the candidates."""
        query = np.asarray(query, np.float32)
        if self.codes is None:
            scores = matvec(self.vectors, query)  # both cores, BLAS not spinning
            if mask is not None:
                scores = np.where(mask, scores, -np.inf)
            total = int(np.count_nonzero(scores >= min_score))
            return np.arange(len(scores)), scores, total
        rows = self.candidates(query, mask)
        scores = np.einsum("ij,j->i", self.vectors[rows].astype(np.float32), query)
        above = int(np.count_nonzero(scores >= min_score))
        return (
            rows,
            scores,
            above if above < len(rows) else max(above, self._estimate(query, mask, min_score)),
        )

    def candidates(self, query: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
        """The rows nearest ``query`` in Hamming distance (about ``rescore`` of them, all
        distance ties included), among those ``mask`` keeps."""
        assert self.codes is not None and self.centre is not None and self.spread is not None
        assert self.rest is not None
        code = level_codes(query[None, :], self.centre, self.spread)[:, 0]
        first_code, rest_code = code[list(FIRST_WORDS)], code[list(REST_WORDS)]
        n = self.codes.shape[1]
        keep = max(round(n * FIRST_PASS_SHARE), FIRST_PASS_DEPTHS * self.rescore)
        passing = np.flatnonzero(mask) if mask is not None else None
        if n <= keep or (passing is not None and len(passing) <= keep):
            # Few rows (pass): every one gets its whole distance.
            rows = np.arange(n) if passing is None else passing
            partial = first_distances(self.codes, first_code, rows)
        else:
            # The first-pass cut-off that about ``keep`` rows reach, from the sample
            # rows (their first-pass words kept row-major: no scattered reads).
            assert self.sample_rows is not None and self.sample_codes is not None
            estimate = rest_distances(self.sample_codes, first_code, slice(None))
            if mask is not None:
                estimate[~mask[self.sample_rows]] = FILTERED
            at = min(len(estimate) - 1, keep * len(estimate) // n)
            cut = min(int(np.partition(estimate, at)[at]), FILTERED - 1)
            rows, partial = scan(self.codes, first_code, mask, cut)
        dist = partial + rest_distances(self.rest, rest_code, rows)
        found: np.ndarray = rows[nearest(dist, self.rescore)]
        return found

    def _estimate(self, query: np.ndarray, mask: np.ndarray | None, min_score: float) -> int:
        assert self.sample is not None and self.sample_rows is not None
        passing = np.einsum("ij,j->i", self.sample, query) >= min_score
        if mask is not None:
            passing &= mask[self.sample_rows]
        return round(np.count_nonzero(passing) * len(self.ids) / len(self.sample_rows))


def category_key(categories: Sequence[str]) -> int:
    return hash(tuple(categories))
