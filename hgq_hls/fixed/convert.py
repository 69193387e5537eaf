"""Conversions between floats, integer mantissas and fixed-point types, exactly as ap_fixed.

A value of type ``t`` is the integer mantissa ``m`` meaning ``m * 2**-t.frac``.  Every
conversion rounds first (``t.rounding``) and then handles overflow (``t.overflow``),
which is the order ap_fixed applies them in.
"""

from __future__ import annotations

import numpy as np

from ..errors import ArgumentError, ExactnessError
from ..inputs import real_array
from .fixed_type import FixedType
from .overflow import apply_overflow
from .rounding import round_float, round_shift
from .storage import as_object, storage_dtype, to_storage

# int64 kernels are used for elements with |m| < 2**_SAFE_BITS whose result before overflow
# handling also stays below 2**61 (round_shift's contract); all else takes exact Python ints.
_SAFE_BITS = 60
_DOUBLE_MANT_BITS = 53


def _int64_safe(m: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Per-element mask of where the int64 kernels cannot overflow."""
    magnitude = np.abs(m.astype(np.float64))  # only a bound: float rounding is harmless here
    left = np.maximum(-shift, 0)
    return (magnitude < 2.0**_SAFE_BITS) & (magnitude * np.exp2(np.minimum(left, 200)) < 2.0**61)


def _requantize(m: np.ndarray, shift, t: FixedType) -> np.ndarray:
    q = round_shift(m, shift, t.rounding)
    if q.dtype != object and t.width > 62:
        q = as_object(q)
    return apply_overflow(q, t)


def cast(m, from_frac, to_type: FixedType, *, name: str | None = None) -> np.ndarray:
    """Cast mantissas ``m`` (value ``m * 2**-from_frac``) to type ``to_type``, like ap_fixed.

    ``m`` is an integer (int64 or object) array; ``from_frac`` an int or an int array that
    broadcasts with it.  Returns mantissas of ``to_type`` in its storage dtype (int64 up to
    62 bits, Python ints beyond).  ``name`` labels errors.
    """
    m = np.asarray(m)
    if m.dtype != object and not np.issubdtype(m.dtype, np.integer):
        raise TypeError(f"cast() needs integer mantissas, got dtype {m.dtype}")
    shift = np.asarray(from_frac) - to_type.frac
    if shift.ndim == 0 and m.dtype != object and to_type.width <= 62:
        # one shift for the whole tensor: a single bound decides the int64 path
        m = m.astype(np.int64, copy=False)
        s = int(shift)
        # the bound in float: np.abs would overflow on the most negative int64
        bound = max(-float(m.min()), float(m.max())) if m.size else 0.0
        if bool(_int64_safe(np.array([bound]), np.array([s]))[0]):
            return _requantize(m, s, to_type)
    m, shift = np.broadcast_arrays(m, shift)
    out_dtype = storage_dtype(to_type.width, name=name)
    if m.dtype != object and to_type.width <= 62:
        m = m.astype(np.int64, copy=False)
        shift = shift.astype(np.int64, copy=False)
        safe = _int64_safe(m, shift)
        if safe.all():
            return _requantize(m, shift, to_type)
        out = np.empty(m.shape, dtype=out_dtype)
        out[safe] = _requantize(m[safe], shift[safe], to_type)
        wide = ~safe
        out[wide] = to_storage(_requantize(as_object(m[wide]), shift[wide], to_type), to_type.width)
        return out
    result = _requantize(as_object(m), as_object(shift), to_type)
    return to_storage(result, to_type.width, name=name)


def float_to_exact(x) -> tuple[np.ndarray, np.ndarray]:
    """Split float64 values exactly into int64 mantissas and fractional-bit counts.

    ``x == m * 2**-frac`` holds exactly for every finite element.  Infinity becomes
    ``±2**1024``, the value ap_fixed's double conversion sees in its bit pattern.  NaN is
    rejected, as it has no fixed-point value.
    """
    x = np.asarray(x, dtype=np.float64)
    if np.isnan(x).any():
        raise ArgumentError("x", "cannot convert NaN to a fixed-point value")
    inf = np.isinf(x)
    finite = np.where(inf, np.copysign(0.5, x), x)
    mant, exp = np.frexp(finite)
    m = np.ldexp(mant, _DOUBLE_MANT_BITS).astype(np.int64)
    exp = np.where(inf, 1025, exp).astype(np.int64)  # 0.5 * 2**1025 == 2**1024
    return m, _DOUBLE_MANT_BITS - exp


def _float_fast_path(x: np.ndarray, t: FixedType):
    """``x * 2**frac`` and where it is exact and small enough for :func:`round_float`."""
    with np.errstate(over="ignore", under="ignore"):
        v = np.ldexp(x, t.frac)
    mag = np.abs(v)
    # below 2**-1000 the scaled value may be subnormal and have lost bits
    ok = np.isfinite(v) & (mag < 2.0**61) & ((mag >= 2.0**-1000) | (x == 0))
    return v, ok


def to_mantissa(x, t: FixedType, *, name: str | None = None) -> np.ndarray:
    """Mantissas of float values ``x`` converted to ``t`` (as ``t v = (double)x;`` in C++)."""
    x = real_array(x, "x")
    t = _as_type(t)
    if np.isnan(x).any():
        raise ArgumentError("x", "cannot convert NaN to a fixed-point value")
    if t.width <= 62:
        # scaling by a power of two is exact, so most values round in float64 directly
        v, fast = _float_fast_path(x, t)
        if fast.all():
            return apply_overflow(round_float(v, t.rounding), t)
        out = np.empty(x.shape, dtype=np.int64)
        out[fast] = apply_overflow(round_float(v[fast], t.rounding), t)
        m, frac = float_to_exact(x[~fast])
        out[~fast] = cast(m, frac, t, name=name)
        return out
    m, frac = float_to_exact(x)
    return cast(m, frac, t, name=name)


def from_mantissa(m, frac) -> np.ndarray:
    """Float64 values ``m * 2**-frac``; raises ``OverflowError`` where float64 is not exact."""
    m = np.asarray(m)
    if m.dtype == object:
        mf = np.array([float(v) for v in m.ravel()], dtype=np.float64).reshape(m.shape)
        exact_int = np.array(
            [int(f) == v if np.isfinite(f) else False for f, v in zip(mf.ravel(), m.ravel())],
            dtype=bool,
        ).reshape(m.shape)
    else:
        mf = m.astype(np.float64)
        big = np.abs(mf) >= 2.0**53
        exact_int = np.ones(m.shape, dtype=bool)
        if big.any():
            exact_int[big] = [int(f) == int(v) for f, v in zip(mf[big], m[big])]
    y = np.ldexp(mf, -np.asarray(frac, dtype=np.int64))
    back = np.ldexp(y, np.asarray(frac, dtype=np.int64))
    exact = exact_int & (back == mf)
    if not exact.all():
        raise ExactnessError(
            f"{int((~exact).sum())} value(s) are not exactly representable in float64 "
            "(more than 53 significant bits or beyond the exponent range); "
            "use to_mantissa() to keep them exact"
        )
    return y


def quantize(x, t: FixedType) -> np.ndarray:
    """Float values ``x`` quantized to ``t``: float64, each value exactly representable in ``t``.

    Exactly what ``ap_[u]fixed<W,I,Q,O> v = (double)x;`` stores.  For types wider than 53
    bits where a result has no exact float64, use :func:`to_mantissa` instead.
    """
    t = _as_type(t)
    return from_mantissa(to_mantissa(x, t), t.frac)


def _as_type(t) -> FixedType:
    return FixedType.coerce(t, "t", declared=False)
