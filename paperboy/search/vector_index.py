"""A block of paper vectors and the two ways of searching it: exact and approximate.

Below ``PAPERBOY_VECTOR_INDEX_THRESHOLD`` rows a block keeps float32 vectors and scores
every row (one matrix-vector product: exact, about 3 ms at 75k rows). At or above it the
block keeps float16 vectors (the precision they are stored in, so nothing is lost) plus
one 768-bit *level code* per row: each coordinate is put on one of three levels (below,
within or above the median spread around the corpus mean) written as two bits, so the
Hamming distance between two codes counts level steps, a coarse L1 distance. A query

1. computes its own code and the Hamming distance to every row's code (XOR and
   ``np.bitwise_count`` over twelve 64-bit words, in cache-sized slices);
2. takes the rows nearest in Hamming distance, about ``PAPERBOY_VECTOR_RESCORE`` of them
   (a histogram of the 769 possible distances gives the cut-off without sorting);
3. scores those rows exactly (float16 -> float32 dot products) and ranks them.

At 2.7 million rows this reads 260 MB of codes instead of 4 GB of float32 vectors
(benchmarks/scale.py and docs/deploy.md have the recall and speed; one bit per
coordinate, the sign, gave 0.925 recall@10 at 2.7M). Filters (dates, categories,
allowed ids) are applied to the distances before step 2, so the candidates all pass
them; when fewer rows pass than the rescore depth, every one of them is scored and the
search is exact.

A block is immutable: the vector index (``semantic.py``) replaces blocks, never edits
them, so a search always reads one consistent block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from paperboy.search.matvec import matvec

CODE_WORDS = 12  # 384 dimensions x 2 bits / 64 bits
SLICE = 1 << 14  # rows per step of the Hamming scan: its temporaries stay in cache
FILTERED = 0xFFFF  # the distance given to rows a filter removes (real ones are <= 768)
COUNT_SAMPLE = 20_000  # rows scored exactly to estimate how many papers pass the floor


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


def hamming(codes: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Hamming distances (uint16) from ``query`` (CODE_WORDS uint64) to every code."""
    n = codes.shape[1]
    out = np.empty(n, np.uint16)
    word = np.empty(SLICE, np.uint64)
    count = np.empty(SLICE, np.uint8)
    for start in range(0, n, SLICE):
        end = min(n, start + SLICE)
        m = end - start
        dist = out[start:end]
        for j in range(CODE_WORDS):
            np.bitwise_xor(codes[j, start:end], query[j], out=word[:m])
            np.bitwise_count(word[:m], out=count[:m])
            if j == 0:
                dist[:] = count[:m]
            else:
                np.add(dist, count[:m], out=dist)
    return out


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
    codes: np.ndarray | None = None  # (CODE_WORDS, n) when approximate
    centre: np.ndarray | None = None
    spread: np.ndarray | None = None
    sample_rows: np.ndarray | None = None
    sample: np.ndarray | None = None  # float32 vectors of sample_rows
    rescore: int = 0

    def __len__(self) -> int:
        return len(self.ids)

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
        return replace(
            block,
            codes=level_codes(block.vectors, centre, spread),
            centre=centre,
            spread=spread,
            sample_rows=sample_rows,
            sample=sample,
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
        code = level_codes(query[None, :], self.centre, self.spread)[:, 0]
        dist = hamming(self.codes, code)
        if mask is not None:
            dist[~mask] = FILTERED
        counts = np.cumsum(np.bincount(dist[dist != FILTERED], minlength=CODE_WORDS * 64 + 1))
        cut = int(np.searchsorted(counts, self.rescore))  # first distance reaching it
        return np.flatnonzero(dist <= cut)

    def _estimate(self, query: np.ndarray, mask: np.ndarray | None, min_score: float) -> int:
        assert self.sample is not None and self.sample_rows is not None
        passing = np.einsum("ij,j->i", self.sample, query) >= min_score
        if mask is not None:
            passing &= mask[self.sample_rows]
        return round(np.count_nonzero(passing) * len(self.ids) / len(self.sample_rows))


def category_key(categories: Sequence[str]) -> int:
    return hash(tuple(categories))
