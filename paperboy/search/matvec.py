"""The query product (every paper's vector times the query's), on both cores, without
spinning threads.

At 75k papers the product reads 115 MB and is bound by memory bandwidth: one core takes
~6 ms, two take ~3. OpenBLAS's own second thread gets the same wall time but then spins
waiting for more work, taking CPU from the rest of the search (and from other requests)
on a 2-core machine: measured under load, twice the CPU time of one thread. So BLAS is
set to one thread, process-wide, and a large product is split in two halves, one on a
small worker thread (NumPy releases the GIL inside BLAS), one on the caller's.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

SPLIT_ROWS = 16_384  # below this the hand-over costs more than the second core saves

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def one_blas_thread() -> None:
    """Limit BLAS to one thread, once per process, before the first product (changing it
    while another thread is inside BLAS is unsafe)."""
    global _pool
    with _lock:
        if _pool is None:
            threadpool_limits(1, user_api="blas")
            _pool = ThreadPoolExecutor(1, thread_name_prefix="paperboy-matvec")


def matvec(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``matrix @ vector`` as float32; large matrices are computed in two halves at once."""
    one_blas_thread()
    vector = vector.astype(np.float32, copy=False)
    n = len(matrix)
    if n < SPLIT_ROWS or _pool is None:
        return np.asarray(matrix @ vector, dtype=np.float32)
    out = np.empty(n, dtype=np.float32)
    half = n // 2
    other = _pool.submit(np.matmul, matrix[half:], vector, out=out[half:])
    np.matmul(matrix[:half], vector, out=out[:half])
    other.result()
    return out
