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


def pad_constant(a: np.ndarray, width, fill) -> np.ndarray:
    """``np.pad`` with a constant that keeps exact arrays exact.

    On an object (Python-int) array ``np.pad`` writes the fill as a numpy int64, which later
    overflows when combined with wide Python ints; here every element stays a Python int.
    """
    if a.dtype != object:
        return np.pad(a, width, constant_values=fill)
    out = np.empty(tuple(d + lo + hi for d, (lo, hi) in zip(a.shape, width)), dtype=object)
    out[...] = int(fill)
    out[tuple(slice(lo, lo + d) for d, (lo, _) in zip(a.shape, width))] = a
    return out


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


def matmul_plan(x: np.ndarray, w: np.ndarray, k: int) -> str:
    """How to compute exact dot products of length ``k``: "float32" or "float" (BLAS),
    "int64" or "object".

    BLAS is exact when a bound proves every partial sum stays below 2**24 (float32: half the
    memory traffic of an im2col, which dominates a CNN's reference) or 2**53 (float64).
    Float inputs (an untyped graph) stay float64.
    """
    if x.dtype.kind == "f" or w.dtype.kind == "f":
        return "float"
    if x.dtype == object or w.dtype == object:
        return "object"
    bits = bit_bound(x) + bit_bound(w) + max(k - 1, 1).bit_length()
    if bits <= 24:
        return "float32"
    if bits <= 52:
        return "float"
    return "int64" if fits(bits) else "object"


def as_plan(a: np.ndarray, plan: str) -> np.ndarray:
    """``a`` in the dtype a :func:`matmul_plan` computes with."""
    if plan == "float32":
        return a.astype(np.float32, copy=False)
    if plan == "float":
        return a.astype(np.float64, copy=False)
    return as_object(a) if plan == "object" else a


def from_plan(result: np.ndarray, plan: str, exact_ints: bool) -> np.ndarray:
    """Back to integer mantissas after a float plan (exact by the plan's bound)."""
    return result.astype(np.int64) if plan in ("float", "float32") and exact_ints else result


def matmul(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Exact ``x @ w`` over the last axis of x (BLAS float64 where a bound proves it exact)."""
    ints = x.dtype.kind != "f" and w.dtype.kind != "f"
    plan = matmul_plan(x, w, w.shape[0])
    return from_plan(as_plan(x, plan) @ as_plan(w, plan), plan, ints)
