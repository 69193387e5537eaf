"""Rounding to a coarser grid with the 7 ap_fixed quantization modes.

Integer mantissas round by one offset add before a floor shift (:data:`ROUNDING_OFFSETS`);
float64 values round by ``floor`` plus a per-mode increment (:func:`_increment`).
"""

from __future__ import annotations

import numpy as np


def _increment(rounding: str, above, tie, nonzero, neg, odd) -> np.ndarray:
    """Whether ``floor`` must be incremented: remainder ``above``/at (``tie``) half, etc."""
    if rounding == "TRN":
        return np.zeros(np.shape(above), dtype=bool)
    if rounding == "TRN_ZERO":
        return neg & nonzero
    if rounding == "RND":
        return above | tie
    if rounding == "RND_ZERO":
        return above | (tie & neg)
    if rounding == "RND_MIN_INF":
        return above
    if rounding == "RND_INF":
        return above | (tie & ~neg)
    if rounding == "RND_CONV":
        return above | (tie & odd)
    raise ValueError(f"unknown rounding mode {rounding!r}")


def round_shift(m: np.ndarray, shift, rounding: str) -> np.ndarray:
    """``round(m / 2**shift)`` with ap_fixed rounding mode ``rounding``.

    ``m`` is an int64 or object (Python int) array, ``shift`` an int or an int array that
    broadcasts with it; a negative shift multiplies exactly.  The caller guarantees that an
    int64 ``m`` has headroom: ``|m| < 2**60`` and ``|m| * 2**-shift < 2**61``.
    """
    if np.ndim(shift) == 0:
        return _round_shift_scalar(m, int(shift), rounding)
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
    rounded = _round_right(m, right, (one << right) - 1, one << (right - 1), rounding)
    return np.where(shift > 0, rounded, scaled).astype(m.dtype, copy=False)


def _round_shift_scalar(m: np.ndarray, shift: int, rounding: str) -> np.ndarray:
    """:func:`round_shift` for one shift amount (the common case: whole-tensor types)."""
    if shift <= 0:
        return m << (-shift) if shift else m
    if m.dtype != object:
        shift = min(shift, 61)          # same cap as above, same reason
    return _round_right(m, shift, (1 << shift) - 1, 1 << (shift - 1), rounding)


#: Each rounding mode as one add before an arithmetic (floor) shift by ``right`` bits: the
#: offset is ``k * half - d`` (``half = 2**(right-1)``) plus a data-dependent part: ``""``
#: none, ``"+sign"`` 1 for a negative value, ``"-sign"`` -1 for a negative value, ``"+lsb"``
#: the bit that becomes the result's lsb, ``"sign_mask"`` ``2**right - 1`` for a negative
#: value.  With ``r`` the remainder, ``floor((m + c) / 2**right)`` rounds up exactly when
#: ``r + c >= 2**right``, so the offset decides where ties go.  The reference and the
#: Verilog casts (:mod:`hgq_hls.lowering.cast`) both build rounding from this table.
ROUNDING_OFFSETS = {
    "TRN": (0, 0, ""),               # floor
    "TRN_ZERO": (0, 0, "sign_mask"),  # toward zero
    "RND": (1, 0, ""),               # ties up
    "RND_MIN_INF": (1, 1, ""),       # ties down
    "RND_CONV": (1, 1, "+lsb"),      # ties to even
    "RND_ZERO": (1, 1, "+sign"),     # ties toward zero
    "RND_INF": (1, 0, "-sign"),      # ties away from zero
}


def _offset_parts(rounding: str) -> tuple[int, int, str]:
    if rounding not in ROUNDING_OFFSETS:
        raise ValueError(f"unknown rounding mode {rounding!r}")
    return ROUNDING_OFFSETS[rounding]


def rounding_offset(rounding: str, right: int) -> tuple[int, str]:
    """(constant part, data-dependent part) of the offset that rounds by ``right`` bits."""
    k, d, data = _offset_parts(rounding)
    return k * (1 << (right - 1)) - d, data


def _round_right(m, right, mask, half, rounding):
    """``round(m / 2**right)``: the mode's offset (:data:`ROUNDING_OFFSETS`) added, then a
    floor shift.  ``right``, ``mask`` and ``half`` may be arrays (per-element shifts)."""
    k, d, data = _offset_parts(rounding)
    offset = half * k - d if k else 0
    if data == "+lsb":
        offset = offset + ((m >> right) & 1)
    elif data:
        neg = np.asarray(m < 0, dtype=bool).astype(np.int64)
        if m.dtype == object:
            neg = neg.astype(object)
        offset = offset + {"+sign": neg, "-sign": -neg, "sign_mask": neg * mask}[data]
    return (m + offset) >> right if k or data else m >> right


def round_float(v: np.ndarray, rounding: str) -> np.ndarray:
    """``round(v)`` to int64 for float64 ``v`` with ``|v| < 2**61`` (exact: no float rounding).

    ``floor(v)`` is exact, but the remainder ``v - floor(v)`` is not always (for v just
    above -k - 1/2 it rounds to exactly 1/2 and would look like a tie).  So ``v`` is
    compared with the midpoint ``floor(v) + 1/2`` instead: where ``v`` has a fraction,
    ``|v| < 2**52`` and that midpoint is exact, so this equals :func:`round_shift` on the
    exact value of ``v``.
    """
    q = np.floor(v)
    has_fraction = v != q
    midpoint = q + 0.5
    qi = q.astype(np.int64)
    inc = _increment(rounding, has_fraction & (v > midpoint), has_fraction & (v == midpoint),
                     has_fraction, v < 0, (qi & 1) == 1)
    return qi + inc
