"""Overflow handling of integer mantissas, with the 4 ap_fixed overflow modes."""

from __future__ import annotations

import numpy as np

from .fixed_type import FixedType
from .storage import as_object


def apply_overflow(q: np.ndarray, t) -> np.ndarray:
    """Bring rounded mantissas ``q`` (units of ``t.lsb``) into ``t``'s range by ``t.overflow``.

    ``t`` is a :class:`FixedType`, or :class:`~hgq_hls.fixed.ElementTypes` (each element in
    units of its own lsb, its own bounds; ``q`` then an object array).  ``q`` must be an object
    array, or int64 with ``t.width <= 62``.
    """
    per_element = not isinstance(t, FixedType)
    if not per_element and t.width == 0:
        return np.zeros(q.shape, dtype=q.dtype)
    lo, hi = t.min_mantissa, t.max_mantissa
    if t.overflow == "WRAP":
        span = (as_object(1) << as_object(t.width)) if per_element else 1 << t.width
        u = q & (span - 1)
        out = np.where(t.signed & (u > hi), u - span, u) if per_element or t.signed else u
    elif t.overflow == "SAT_ZERO":
        out = np.where((q < lo) | (q > hi), 0, q).astype(q.dtype, copy=False)
    elif t.overflow in ("SAT", "SAT_SYM"):
        out = _clip(q, *t.saturation_bounds)          # SAT: the bounds are (min, max)
    else:
        raise ValueError(f"unknown overflow mode {t.overflow!r}")
    return np.where(t.pruned, 0, out).astype(object) if per_element else out


def _clip(q: np.ndarray, lo: int, hi: int) -> np.ndarray:
    if q.dtype == object:          # keep exact Python ints
        return np.where(q < lo, lo, np.where(q > hi, hi, q)).astype(object)
    return np.clip(q, lo, hi)
