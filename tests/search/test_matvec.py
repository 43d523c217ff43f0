"""The split query product equals NumPy's, for small and large matrices."""

from __future__ import annotations

import numpy as np
import pytest

from paperboy.search.matvec import SPLIT_ROWS, matvec


@pytest.mark.parametrize("rows", [0, 1, 7, SPLIT_ROWS - 1, SPLIT_ROWS, 2 * SPLIT_ROWS + 1])
def test_same_as_numpy(rows: int) -> None:
    rng = np.random.default_rng(rows)
    matrix = rng.normal(size=(rows, 16)).astype(np.float32)
    vector = rng.normal(size=16)  # float64: converted, as query vectors may arrive
    got = matvec(matrix, vector)
    assert got.dtype == np.float32 and got.shape == (rows,)
    assert np.allclose(got, matrix @ vector.astype(np.float32), atol=1e-5)
