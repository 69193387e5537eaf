"""Overflow handling of integer mantissas, with the 4 ap_fixed overflow modes."""

from __future__ import annotations

import numpy as np

from .fixed_type import FixedType


def apply_overflow(q: np.ndarray, t: FixedType) -> np.ndarray:
    """Bring rounded mantissas ``q`` (units of ``t.lsb``) into ``t``'s range by ``t.overflow``.

    ``q`` must be an object array, or int64 with ``t.width <= 62``.
    """
    if t.width == 0:
        return np.zeros(q.shape, dtype=q.dtype)
    lo, hi = t.min_mantissa, t.max_mantissa
    if t.overflow == "WRAP":
        u = q & ((1 << t.width) - 1)
        return np.where(u > hi, u - (1 << t.width), u) if t.signed else u
    if t.overflow == "SAT":
        return _clip(q, lo, hi)
    if t.overflow == "SAT_ZERO":
        return np.where((q < lo) | (q > hi), 0, q).astype(q.dtype, copy=False)
    if t.overflow == "SAT_SYM":
        return _clip(q, *t.saturation_bounds)
    raise ValueError(f"unknown overflow mode {t.overflow!r}")


def _clip(q: np.ndarray, lo: int, hi: int) -> np.ndarray:
    if q.dtype == object:          # keep exact Python ints
        return np.where(q < lo, lo, np.where(q > hi, hi, q)).astype(object)
    return np.clip(q, lo, hi)
