"""Bit counts of integer weight arrays, vectorized (the estimator must stay fast on big models).

For ``n > 0``: the canonical signed digits of ``n`` sit at the set bits of ``(n ^ 3n) >> 1``
(the non-adjacent form, Reitwiesner), so their count is ``popcount(n ^ 3n)``; HGQ's
effective bits run from the highest to the lowest set bit of ``n``.  Arrays are int64 when
every ``|m| < 2**52`` (``3n`` and float exponents stay exact) and Python ints otherwise.
"""

from __future__ import annotations

import numpy as np

from ..lowering.csd import csd_digits

_EXACT = 1 << 52


def _popcount(a: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(a).astype(np.int64)
    bytes_ = a.astype(np.uint64).view(np.uint8).reshape(a.shape + (8,))
    return np.unpackbits(bytes_, axis=-1).sum(axis=-1).astype(np.int64)


def _bit_length(a: np.ndarray) -> np.ndarray:
    """Bits of each non-negative int64 (0 for 0)."""
    return np.where(a > 0, np.frexp(a.astype(np.float64))[1], 0).astype(np.int64)


def _small(m) -> np.ndarray | None:
    """``|m|`` as int64 when every value is below 2**52, else None."""
    a = np.asarray(m)
    if a.dtype == object:
        if a.size and max(abs(int(v)) for v in a.reshape(-1)) >= _EXACT:
            return None
        a = a.astype(np.int64)
    a = np.abs(a.astype(np.int64))
    return a if not a.size or a.max() < _EXACT else None


def effective_bits(m) -> np.ndarray:
    """Bits from the highest to the lowest non-zero bit of each integer (0 for 0), as HGQ counts."""
    a = _small(m)
    if a is None:
        flat = [abs(int(v)) for v in np.asarray(m, dtype=object).reshape(-1)]
        return np.array([v.bit_length() - ((v & -v).bit_length() - 1) if v else 0 for v in flat],
                        dtype=np.int64).reshape(np.shape(m))
    lowest = _bit_length(a & -a)
    return np.where(a > 0, _bit_length(a) - lowest + 1, 0)


def csd_counts(m) -> tuple[np.ndarray, np.ndarray]:
    """(number of signed digits, position of the highest minus the lowest digit) of each integer."""
    a = _small(m)
    if a is None:
        digits = [csd_digits(int(v)) for v in np.asarray(m, dtype=object).reshape(-1)]
        count = np.array([len(d) for d in digits], dtype=np.int64)
        span = np.array([d[-1][1] - d[0][1] if d else 0 for d in digits], dtype=np.int64)
        return count.reshape(np.shape(m)), span.reshape(np.shape(m))
    marks = (a ^ (3 * a)) >> 1
    span = np.where(a > 0, _bit_length(marks) - _bit_length(marks & -marks), 0)
    return _popcount(marks), span
