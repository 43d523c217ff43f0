"""float16 rows to float32 through ONNX Runtime's Cast."""

from __future__ import annotations

import numpy as np

from paperboy.search.half import as_float32


def test_every_float16_value_converts_exactly() -> None:
    every = np.arange(1 << 16, dtype=np.uint16).view(np.float16).reshape(256, 256)
    converted = as_float32(every)
    assert converted.dtype == np.float32 and converted.shape == every.shape
    # NaN payloads may differ (quieted); every other value is the same bit for bit.
    expected = every.astype(np.float32)
    finite = ~np.isnan(expected)
    assert np.array_equal(converted[finite].view(np.uint32), expected[finite].view(np.uint32))
    assert np.isnan(converted[~finite]).all()


def test_gathered_rows_of_any_shape_convert() -> None:
    rows = np.random.default_rng(3).normal(size=(9, 384)).astype(np.float16)
    picked = np.take(rows, [7, 2, 2], axis=0)
    assert np.array_equal(as_float32(picked), picked.astype(np.float32))
    assert as_float32(rows[:0]).shape == (0, 384)
