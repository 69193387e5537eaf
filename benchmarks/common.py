"""Helpers shared by the benchmark scripts (run them from any folder: python benchmarks/X.py)."""

from __future__ import annotations

import time


def best_of(fn, repeat=3):
    """(minimum wall seconds of ``fn()`` over ``repeat`` calls, its last result)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result
