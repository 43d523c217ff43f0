"""A block of paper vectors and the two ways of searching it: exact and approximate.

Below ``PAPERBOY_VECTOR_INDEX_THRESHOLD`` rows a block keeps float32 vectors and scores
every row (one matrix-vector product: exact, about 3 ms at 75k rows). At or above it the
block keeps float16 vectors (the precision they are stored in, so nothing is lost) and
two binary codes per row:

- a *sign code* of FIRST_BITS bits: the signs of the row's first FIRST_BITS coordinates
  after a fixed random rotation around the corpus mean (SimHash: the Hamming distance
  between two sign codes estimates the angle between the vectors);
- a 768-bit *level code*: each coordinate put on one of three levels (below, within or
  above the median spread around the corpus mean) written as two bits, so the Hamming
  distance between two codes counts level steps, a coarse L1 distance.

A query

1. computes both codes; a first pass reads every row's sign code (FIRST_WORDS 64-bit
   words, XOR and ``np.bitwise_count`` in cache-sized slices, the rows split across
   threads) and keeps the rows within a cut-off that about FIRST_PASS_SHARE of the rows
   reach (estimated on a strided sample of 20,000);
2. a second pass reads the whole level code of those rows only and takes the nearest,
   about ``PAPERBOY_VECTOR_RESCORE`` of them (a histogram of the 769 possible distances
   gives the cut-off without sorting);
3. scores those rows exactly (float16 -> float32 dot products) and ranks them.

Why this split, measured at 2.7 million rows (benchmarks/scale.py, docs/deploy.md): per
bit read, sign bits of a rotation keep the true nearest rows far better than level bits
(their first pass reads 256 bits a row where the level code's needed 384 for the same
recall), and the first pass is what costs: it reads every row, the second about 2%.
The level code stays for the second pass, which picks the rows to rescore better than
sign bits do. Recall@10 against exact search is in docs/search.md; one bit per
coordinate without the rotation (the plain signs) gave 0.925 at 2.7M. Filters (dates,
categories, allowed ids) are applied in the first pass, so the candidates all pass
them; when few rows pass, all of them get the whole level distance, and when fewer pass
than the rescore depth every one of them is scored and the search is exact.

Why hand-written and not a library: measured at 2.7M on this 2-core box, faiss-cpu's
``IndexBinaryFlat`` (AVX-512 popcount) and simsimd's Hamming ``cdist`` were no faster
than the NumPy scan for one query (faiss parallelises across queries; simsimd was slower
than NumPy on 32-byte codes); HNSW/IVF indexes (usearch, faiss) need minutes of build at
2.7M and oversampling for filters, and an IVF partition probed by the nearest centroids
lost whole top-10s of title queries, which sit far from the centroids of the abstracts
they match (docs/search.md). The scan needs no new dependency.

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

from paperboy.search.half import as_float32
from paperboy.search.matvec import matvec

CODE_WORDS = 12  # the level code: 384 dimensions x 2 bits / 64 bits
# The sign code read by the first pass (kept column-major: one contiguous array per
# word); the level codes are kept row-major (one row's words adjacent: gathering the
# rows the first pass keeps is one read per row).
FIRST_BITS = 256
FIRST_WORDS = FIRST_BITS // 64
ROTATION_SEED = 20_261_201  # a fixed rotation: the same codes for the same vectors
# The first pass keeps the rows within a cut-off that about FIRST_PASS_SHARE of the rows
# reach (at least FIRST_PASS_DEPTHS times the rescore depth).
FIRST_PASS_SHARE = 0.02
FIRST_PASS_DEPTHS = 4
SLICE = 1 << 16  # rows per step of the scan (measured best of 4k..256k)
FILTERED = CODE_WORDS * 64 + 1  # the level distance given to rows a filter removes
FIRST_FILTERED = FIRST_BITS + 1  # the sign distance given to them
# NumPy ufuncs release the GIL, so threads scan disjoint row ranges in parallel; below
# PART_MIN rows a part the thread hand-off costs more than it saves.
SCAN_THREADS = max(1, min(4, os.cpu_count() or 1))
PART_MIN = 4 * SLICE
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()
# rows scored exactly to estimate how many papers pass the floor, and whose first-pass
# distances estimate the first pass's cut-off
COUNT_SAMPLE = 20_000
FILTER_CACHE_SIZE = 32  # date and category masks kept per block (2.7 MB each at 2.7M)
CHUNK = 65_536  # rows encoded at a time (float32 copies of this many rows at most)


def _levels(centred: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Row-major level codes (n, CODE_WORDS) of centred vectors: per coordinate, two bits
    saying whether it lies above ``-spread`` and above ``spread`` (three levels; the
    Hamming distance between two codes counts level steps)."""
    levels = np.concatenate([centred > -spread, centred > spread], axis=1)
    return np.packbits(levels, axis=1).view(np.uint64)


def rotation(dim: int) -> np.ndarray:
    """The first FIRST_BITS columns of a fixed random orthogonal matrix (dim x dim)."""
    gaussian = np.random.default_rng(ROTATION_SEED).normal(size=(dim, dim))
    return np.linalg.qr(gaussian)[0][:, :FIRST_BITS].astype(np.float32)


def sign_codes(centred: np.ndarray, projection: np.ndarray) -> np.ndarray:
    """Row-major sign codes (n, FIRST_WORDS) of centred vectors: the signs of their
    coordinates after the rotation ``projection``."""
    return np.packbits(centred @ projection > 0, axis=1).view(np.uint64)


def scan(
    first: np.ndarray, query: np.ndarray, mask: np.ndarray | None, cut: int
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, their distances) of the rows within ``cut`` of ``query`` over the
    column-major codes ``first`` and passing ``mask``; the rows split across
    SCAN_THREADS threads."""
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
    words = len(query)
    word = np.empty(SLICE, np.uint64)
    count = np.empty(SLICE, np.uint8)
    group = np.empty(SLICE, np.uint8)
    dist = np.empty(SLICE, np.uint16)
    near = np.empty(SLICE, bool)
    rows, dists = [], []
    for at in range(start, end, SLICE):
        m = min(end, at + SLICE) - at
        for i in range(words):
            np.bitwise_xor(first[i, at : at + m], query[i], out=word[:m])
            # Three words differ in at most 192 bits, so their counts add up in bytes
            # (cheaper than 16-bit adds) before joining the total.
            if i % 3 == 0:
                np.bitwise_count(word[:m], out=group[:m])
            else:
                np.bitwise_count(word[:m], out=count[:m])
                np.add(group[:m], count[:m], out=group[:m])
            if i % 3 == 2 or i == words - 1:
                if i < 3:
                    dist[:m] = group[:m]
                else:
                    np.add(dist[:m], group[:m], out=dist[:m])
        # Selected while the slice is in cache: no pass over all n distances after.
        np.less_equal(dist[:m], cut, out=near[:m])
        if mask is not None:
            np.logical_and(near[:m], mask[at : at + m], out=near[:m])
        hit = np.flatnonzero(near[:m])
        rows.append(hit + at)
        dists.append(dist[hit])
    return np.concatenate(rows), np.concatenate(dists)


def distances(codes: np.ndarray, query: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    """Hamming distances (uint16) from ``query`` to ``rows`` (None: all) of the
    row-major ``codes``."""
    # np.take, not codes[rows]: the scattered rows are copied whole, 3x faster at 27k.
    picked = codes.copy() if rows is None else np.take(codes, rows, axis=0)
    counts = np.bitwise_count(np.bitwise_xor(picked, query, out=picked))
    # Column by column: faster than a sum along the short rows.
    total: np.ndarray = counts[:, 0].astype(np.uint16)
    for word in range(1, counts.shape[1]):
        np.add(total, counts[:, word], out=total)
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


@dataclass(frozen=True)
class Codes:
    """What an approximate block searches by: both codes of every row, how they were
    made, and the sample that estimates cut-offs and counts."""

    first: np.ndarray  # sign codes, (FIRST_WORDS, n) column-major
    levels: np.ndarray  # level codes, (n, CODE_WORDS) row-major
    centre: np.ndarray
    spread: np.ndarray
    projection: np.ndarray  # (dim, FIRST_BITS)
    sample_rows: np.ndarray
    sample: np.ndarray  # float32 vectors of sample_rows
    sample_first: np.ndarray  # (len(sample_rows), FIRST_WORDS) row-major

    @classmethod
    def of(cls, vectors: np.ndarray) -> Codes:
        n, dim = vectors.shape
        sample_rows = np.arange(0, n, max(1, n // COUNT_SAMPLE))
        sample = vectors[sample_rows].astype(np.float32)
        centre = sample.mean(axis=0)
        # The median distance from the centre per coordinate: the middle level holds
        # half the values, each outer level a quarter.
        spread = np.median(np.abs(sample - centre), axis=0)
        projection = rotation(dim)
        first = np.empty((FIRST_WORDS, n), np.uint64)
        levels = np.empty((n, CODE_WORDS), np.uint64)
        for start in range(0, n, CHUNK):
            part = vectors[start : start + CHUNK].astype(np.float32) - centre
            levels[start : start + len(part)] = _levels(part, spread)
            first[:, start : start + len(part)] = sign_codes(part, projection).T
        return cls(
            first,
            levels,
            centre,
            spread,
            projection,
            sample_rows,
            sample,
            np.ascontiguousarray(first[:, sample_rows].T),
        )

    @property
    def nbytes(self) -> int:
        return self.first.nbytes + self.levels.nbytes

    def candidates(self, query: np.ndarray, mask: np.ndarray | None, rescore: int) -> np.ndarray:
        """The rows nearest ``query`` in level distance (about ``rescore`` of them, all
        distance ties included), among those ``mask`` keeps."""
        centred = np.asarray(query, np.float32)[None, :] - self.centre
        level = _levels(centred, self.spread)[0]
        n = self.first.shape[1]
        keep = max(round(n * FIRST_PASS_SHARE), FIRST_PASS_DEPTHS * rescore)
        passing = n if mask is None else int(np.count_nonzero(mask))
        if passing <= keep:
            # Few rows (pass): every one gets its whole level distance.
            rows = np.arange(n) if mask is None else np.flatnonzero(mask)
        else:
            signs = sign_codes(centred, self.projection)[0]
            # The first-pass cut-off that about ``keep`` rows reach, from the sample rows
            # (their sign codes kept row-major: no scattered reads).
            estimate = distances(self.sample_first, signs, None)
            if mask is not None:
                estimate[~mask[self.sample_rows]] = FIRST_FILTERED
            at = min(len(estimate) - 1, keep * len(estimate) // n)
            cut = min(int(np.partition(estimate, at)[at]), FIRST_BITS)
            rows = scan(self.first, signs, mask, cut)[0]
        found: np.ndarray = rows[nearest(distances(self.levels, level, rows), rescore)]
        return found

    def estimate(self, query: np.ndarray, mask: np.ndarray | None, min_score: float, n: int) -> int:
        """Rows passing ``mask`` and scoring at least ``min_score``, from the sample."""
        passing = np.einsum("ij,j->i", self.sample, query) >= min_score
        if mask is not None:
            passing &= mask[self.sample_rows]
        return round(np.count_nonzero(passing) * n / len(self.sample_rows))


@dataclass(frozen=True, eq=False)
class VectorBlock:
    """Vectors with what filters need, searched exactly or by their codes."""

    vectors: np.ndarray  # float32 (exact) or float16 (approximate)
    ids: list[str] = field(default_factory=list)
    row_of: dict[str, int] = field(default_factory=dict)
    days: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    # hash of each row's categories: enough to see that they changed
    category_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    rows_of_category: dict[str, np.ndarray] = field(default_factory=dict)
    codes: Codes | None = None  # when approximate
    rescore: int = 0
    # date and category masks of recent queries (see mask)
    filter_cache: dict[tuple[tuple[int, int] | None, tuple[str, ...]], np.ndarray] = field(
        default_factory=dict, repr=False
    )

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def code_bytes(self) -> int:
        """Memory of the codes (0 for an exact block)."""
        return 0 if self.codes is None else self.codes.nbytes

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
        return replace(block, codes=Codes.of(block.vectors), rescore=max(1, rescore))

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
        """Rows passing every filter (None: no filter). Read-only: the date and category
        part is kept for the next query with the same filters (a block never changes)."""
        n = len(self.ids)
        combined = self._filter_mask(date_range, tuple(c.lower() for c in categories))
        for ids in id_sets:
            m = np.zeros(n, dtype=bool)
            m[[self.row_of[a] for a in ids if a in self.row_of]] = True
            combined = m if combined is None else combined & m
        if combined is not None:
            combined.setflags(write=False)
        return combined

    def _filter_mask(
        self, date_range: tuple[int, int] | None, categories: tuple[str, ...]
    ) -> np.ndarray | None:
        # Readers repeat filters (year:2026, cat:cs.CL): at 2.7M rows a date and
        # category mask costs a few ms to build and 2.7 MB to keep.
        if date_range is None and not categories:
            return None
        key = (date_range, categories)
        cached = self.filter_cache.get(key)
        if cached is not None:
            return cached
        combined = None
        if date_range is not None:
            combined = (self.days >= date_range[0]) & (self.days <= date_range[1])
        if categories:
            m = np.zeros(len(self.ids), dtype=bool)
            for cat in categories:
                m[self.rows_of_category.get(cat, np.zeros(0, np.int32))] = True
            combined = m if combined is None else combined & m
        assert combined is not None
        combined.setflags(write=False)
        if len(self.filter_cache) >= FILTER_CACHE_SIZE:
            self.filter_cache.clear()
        self.filter_cache[key] = combined
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
        rows = self.codes.candidates(query, mask, self.rescore)
        # np.take, not vectors[rows]: 8,000 scattered rows copied twice as fast.
        scores = np.einsum("ij,j->i", as_float32(np.take(self.vectors, rows, axis=0)), query)
        above = int(np.count_nonzero(scores >= min_score))
        if above < len(rows):
            return rows, scores, above
        return rows, scores, max(above, self.codes.estimate(query, mask, min_score, len(self)))


def category_key(categories: Sequence[str]) -> int:
    return hash(tuple(categories))
