"""Exact division by a constant integer followed by a cast: what a float scale computes.

Every float scale is a dyadic rational ``s = a * 2**k`` with ``a`` odd, so ``round(x / s)``
of a fixed-point ``x`` is an integer division by the constant ``a`` with a rounding rule.
:func:`divide_cast` computes ``cast(x / divisor, t)`` exactly, for every ap_fixed rounding
and overflow mode, from the floor quotient and one *sticky* bit (is the remainder non-zero):

    with at least one quotient bit below the target lsb, replacing the true remainder by
    half an extra lsb when it is non-zero keeps every rounding decision (zero / below half /
    exactly half / above half of the discarded part) -- the guard-and-sticky rule of IEEE
    rounding hardware.

The firmware computes the same two quantities (a constant multiply and shift gives the
quotient, the discarded low bits the sticky bit), so the reference and both backends share
this definition.
"""

from __future__ import annotations

import numpy as np

from .convert import cast, float_to_exact
from .fixed_type import FixedType
from .storage import as_object


def dyadic(values) -> tuple[np.ndarray, np.ndarray]:
    """Split float values exactly into odd integers ``a`` and exponents ``k``: ``v == a * 2**k``.

    Zero gives ``(0, 0)``.  Both are int64 arrays shaped like ``values``.
    """
    m, frac = float_to_exact(np.asarray(values, dtype=np.float64))
    m, exp = m.astype(np.int64), -frac.astype(np.int64)
    nonzero = m != 0
    tz = np.zeros(m.shape, dtype=np.int64)
    if nonzero.any():
        low = m[nonzero] & -m[nonzero]                     # lowest set bit
        tz[nonzero] = np.log2(low.astype(np.float64)).astype(np.int64)
    return np.where(nonzero, m >> tz, 0), np.where(nonzero, exp + tz, 0)


def odd_part(d: int) -> tuple[int, int]:
    """``(A, e)`` with ``|d| == A * 2**e`` and ``A`` odd; ``(0, 0)`` for zero."""
    d = abs(int(d))
    if not d:
        return 0, 0
    e = (d & -d).bit_length() - 1
    return d >> e, e


def quotient_bits(frac, t: FixedType) -> np.ndarray:
    """Left shift giving the dividend at least one fractional bit below ``t``'s lsb."""
    return np.maximum(t.frac + 1 - np.asarray(frac, dtype=np.int64), 0)


def divide_cast(m, frac, divisor, t: FixedType) -> np.ndarray:
    """Mantissas of ``cast(m * 2**-frac / divisor, t)``, exactly (ap_fixed rounding and overflow).

    ``m`` integer mantissas (int64 or Python ints), ``frac`` an int or int array broadcasting
    with them, ``divisor`` positive integers broadcasting with them.
    """
    divisor = np.asarray(divisor)
    if np.any(divisor <= 0):
        raise ValueError("divide_cast needs positive divisors")
    m, frac, divisor = np.broadcast_arrays(np.asarray(m), np.asarray(frac, dtype=np.int64), divisor)
    shift = quotient_bits(frac, t)
    if _fits_int64(m, shift, divisor):
        dividend = m.astype(np.int64) << shift
        d = divisor.astype(np.int64)
    else:
        dividend = as_object(m) << as_object(shift)        # exact: widths are unbounded here
        d = as_object(divisor)
    quotient = dividend // d                                  # floor, also for negative values
    sticky = (dividend - quotient * d) != 0
    if quotient.dtype != object:
        # 2q + 1 must not overflow either: q is at most the dividend
        return cast(2 * quotient + sticky, frac + shift + 1, t)
    # quotient + (1/2 when inexact), one bit finer: every rounding mode decides the same
    doubled = 2 * quotient + sticky.astype(np.int64).astype(object)
    return cast(doubled, frac + shift + 1, t)


def _fits_int64(m: np.ndarray, shift: np.ndarray, divisor: np.ndarray) -> bool:
    """True when the shifted dividend, its doubled quotient and the divisor fit int64."""
    if m.size == 0:
        return True
    if m.dtype == object or divisor.dtype == object:
        return False
    top = max(abs(int(m.min())), abs(int(m.max())), 1).bit_length() + int(shift.max(initial=0))
    return top <= 60 and int(divisor.max()) < 2**60


def divide_cast_float(x, divisor, t: FixedType) -> np.ndarray:
    """:func:`divide_cast` of float values ``x`` (each float is an exact dyadic rational)."""
    m, frac = float_to_exact(x)
    return divide_cast(m, frac, divisor, t)
