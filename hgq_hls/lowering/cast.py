"""A cast to an ap_fixed type as logic: one rounding add and a slice, then overflow handling.

The rounding offsets come from the table the reference rounds with
(:data:`hgq_hls.fixed.rounding.ROUNDING_OFFSETS`: each mode is one add before an arithmetic
shift), so the hardware follows the reference by construction and is checked against it in
simulation.  Saturation bounds are :attr:`FixedType.saturation_bounds`, as in the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..fixed import FixedType, Interval
from ..fixed.rounding import rounding_offset
from ..ir.ops.quantize import quantize_interval
from .fmt import Fmt


@lru_cache(maxsize=65536)
def _cast_range(a: Fmt, t: FixedType) -> tuple[int, int]:
    iv = Interval(np.array([a.lo], dtype=object), np.array([a.hi], dtype=object), a.frac)
    out = quantize_interval(iv, t)
    return int(out.lo[0]), int(out.hi[0])


def cast_fmt(a: Fmt, t: FixedType) -> Fmt:
    """The exact value set of ``cast(a, t)`` (rounding is monotone; overflow per mode)."""
    lo, hi = _cast_range(a, t)
    return Fmt(lo, hi, t.frac)


def needs_logic(a: Fmt, t: FixedType) -> bool:
    """False when every value of ``a`` is already a value of ``t`` (the cast is wiring)."""
    if a.frac > t.frac:
        return True
    if t.width == 0:
        return not (a.lo == a.hi == 0)
    s = t.frac - a.frac
    return (a.lo << s) < t.min_mantissa or (a.hi << s) > t.max_mantissa


@dataclass
class CastPlan:
    """The numbers the Verilog cast template needs."""

    in_width: int        # width the input is extended to (headroom for the rounding add)
    left: int            # zeros appended (target grid finer than the input's)
    right: int           # bits dropped by rounding
    offset: int          # constant part of the rounding offset
    offset_bit: str      # "", "+sign", "-sign", "+lsb" or "sign_mask": the data-dependent part
    rounded_width: int   # width of the rounded value
    saturate_hi: int | None
    saturate_lo: int | None
    on_overflow: str     # "", "wrap", "clamp" or "zero"
    type_width: int
    type_signed: bool
    zero: bool           # the target has width 0: the result is 0


def plan_cast(a: Fmt, t: FixedType) -> CastPlan:
    """How ``cast(a, t)`` is built."""
    left, right = max(t.frac - a.frac, 0), max(a.frac - t.frac, 0)
    in_width = max(a.width, right + 1) + 1
    if right:
        offset, bit = rounding_offset(t.rounding, right)
        rlo, rhi = _cast_range(a, FixedType(True, 4096, 4096 - t.frac, t.rounding, "WRAP"))
    else:
        offset, bit = 0, ""
        rlo, rhi = a.lo << left, a.hi << left
    rounded_width = in_width - right + left      # holds [rlo, rhi]: the sum fits in_width bits
    tmin, tmax = t.saturation_bounds
    hi_over, lo_over = rhi > t.max_mantissa, rlo < t.min_mantissa
    if not (hi_over or lo_over) and not (t.overflow == "SAT_SYM" and rlo < tmin):
        mode = ""
    elif t.overflow == "WRAP":
        mode = "wrap"
    elif t.overflow == "SAT_ZERO":
        mode = "zero"
    else:
        mode = "clamp"
    return CastPlan(in_width=in_width, left=left, right=right, offset=offset, offset_bit=bit,
                    rounded_width=rounded_width,
                    saturate_hi=tmax if mode in ("clamp", "zero") and rhi > tmax else None,
                    saturate_lo=tmin if mode in ("clamp", "zero") and rlo < tmin else None,
                    on_overflow=mode, type_width=t.width, type_signed=t.signed, zero=t.width == 0)
