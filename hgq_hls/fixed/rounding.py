"""Rounding of integer mantissas to a coarser grid, with the 7 ap_fixed quantization modes."""

from __future__ import annotations

import numpy as np


def _bool(a) -> np.ndarray:
    # comparisons on object arrays give object arrays of Python bools; `~True == -2`, so
    # every mask is turned into a real bool array before logic is applied to it
    return np.asarray(a, dtype=bool)


def round_shift(m: np.ndarray, shift, rounding: str) -> np.ndarray:
    """``round(m / 2**shift)`` with ap_fixed rounding mode ``rounding``.

    ``m`` is an int64 or object (Python int) array, ``shift`` an int or an int array that
    broadcasts with it; a negative shift multiplies exactly.  The caller guarantees that an
    int64 ``m`` has headroom: ``|m| < 2**60`` and ``|m| * 2**-shift < 2**61``.
    """
    obj = m.dtype == object
    shift = np.asarray(shift, dtype=object if obj else np.int64)
    left = np.maximum(-shift, 0)
    scaled = m << left
    if not np.any(shift > 0):
        return scaled
    # right shift by at least 1 (where shift <= 0 the scaled value is selected below);
    # int64 shifts are capped at 61, which keeps the result for |m| < 2**60 (see docstring)
    right = np.maximum(shift, 1)
    if not obj:
        right = np.minimum(right, 61)
    one = np.array(1, dtype=m.dtype)
    q = m >> right
    r = m & ((one << right) - 1)
    half = one << (right - 1)
    above, tie = _bool(r > half), _bool(r == half)
    neg = _bool(m < 0)
    if rounding == "TRN":
        inc = np.zeros(q.shape, dtype=bool)
    elif rounding == "TRN_ZERO":
        inc = neg & _bool(r != 0)
    elif rounding == "RND":
        inc = above | tie
    elif rounding == "RND_ZERO":
        inc = above | (tie & neg)
    elif rounding == "RND_MIN_INF":
        inc = above
    elif rounding == "RND_INF":
        inc = above | (tie & ~neg)
    elif rounding == "RND_CONV":
        inc = above | (tie & _bool((q & 1) == 1))
    else:
        raise ValueError(f"unknown rounding mode {rounding!r}")
    rounded = np.where(inc, q + 1, q)
    return np.where(shift > 0, rounded, scaled).astype(m.dtype, copy=False)
