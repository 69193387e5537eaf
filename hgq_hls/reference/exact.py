"""Exact helpers for the reference kernels: a value is (array, frac) -- integer mantissas
meaning ``m * 2**-frac`` -- or (float64 array, None) in an untyped graph.

int64 is used while a bound proves it cannot overflow; Python-int object arrays beyond.
"""

from __future__ import annotations

import numpy as np

from ..fixed.storage import as_object

_INT64_SAFE_BITS = 62


def bit_bound(a: np.ndarray) -> int:
    """Bits needed for the largest magnitude in integer array ``a``."""
    if a.size == 0:
        return 0
    return max(int(np.max(a)).bit_length(), int(-np.min(a)).bit_length())


def fits(bits: int) -> bool:
    """Can a value of ``bits`` magnitude bits be held (with one add of headroom) in int64?"""
    return bits <= _INT64_SAFE_BITS - 1


def shift_left(a: np.ndarray, s: int) -> np.ndarray:
    """``a * 2**s`` exactly (s >= 0), widening to Python ints when int64 would overflow."""
    if s == 0:
        return a
    if a.dtype != object and not fits(bit_bound(a) + s):
        a = as_object(a)
    return a << s


def align(value, frac):
    """The array of ``value`` expressed with ``frac`` fractional bits (float values pass)."""
    arr, f = value
    if f is None:
        return arr
    if frac < f:
        raise AssertionError("align() only adds fractional bits")
    return shift_left(arr, frac - f)


def common_frac(values) -> int | None:
    """The finest grid among ``values`` (None for float)."""
    fracs = [f for _, f in values if f is not None]
    return max(fracs) if fracs else None


def sum_terms(a: np.ndarray, b: np.ndarray, op) -> np.ndarray:
    """``op(a, b)`` for add/subtract, widening first when int64 could overflow."""
    if a.dtype == object or b.dtype == object:
        return op(as_object(a), as_object(b))
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        return op(a, b)
    if not fits(max(bit_bound(a), bit_bound(b)) + 1):
        return op(as_object(a), as_object(b))
    return op(a, b)


def product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise exact product."""
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        return a * b
    if a.dtype == object or b.dtype == object or not fits(bit_bound(a) + bit_bound(b)):
        return as_object(a) * as_object(b)
    return a * b


def matmul(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Exact ``x @ w`` over the last axis of x: BLAS float64 where a bound proves it exact."""
    if x.dtype.kind == "f" or w.dtype.kind == "f":
        return x.astype(np.float64) @ w.astype(np.float64)
    if x.dtype == object or w.dtype == object:
        return as_object(x) @ as_object(w)
    k = w.shape[0]
    bits = bit_bound(x) + bit_bound(w) + max(k - 1, 1).bit_length()
    if bits <= 52:
        # every partial sum stays below 2**53, so float64 BLAS is exact
        return (x.astype(np.float64) @ w.astype(np.float64)).astype(np.int64)
    if fits(bits):
        return x @ w
    return as_object(x) @ as_object(w)
