"""The same-run baseline every benchmark reports against: numpy float32 matrix multiply."""

from __future__ import annotations

import statistics
import time

import numpy as np


def matmul_gflops(n: int = 2048, repeats: int = 7) -> float:
    """Median GFLOP/s of an n × n float32 matrix product (2n³ FLOPs), after one warm-up."""
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
    a @ b
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * n ** 3 / statistics.median(times) / 1e9
