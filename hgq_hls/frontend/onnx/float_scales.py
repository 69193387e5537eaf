"""Quantizers with float scales and zero points, as exact integer arithmetic.

A float scale is a dyadic rational ``s = a * 2**k`` (``a`` odd), so QONNX ``Quant`` and ONNX
``QuantizeLinear`` compute ``round(x / s)`` = ``round((x / a) * 2**-k)``: an exact division by
the integer ``a`` on the grid ``2**k``.  On an activation the quantizer becomes

    Requantize(x / D, integer codes on the grid 2**kmin)  [Clip to the zero point's range]
      -> Mul by D                                          (the dequantized value, exact)

with ``D = a * 2**(k - kmin)`` per channel (``kmin`` the finest grid among the channels).
On a constant the exact values ``s * (q - z)`` become a typed constant.
"""

from __future__ import annotations

import numpy as np

from ...fixed import FixedType
from ...fixed.convert import float_to_exact
from ...fixed.division import divide_cast, dyadic
from ...fixed.interval import tightest_type
from ...fixed.fixed_type import MAX_DECLARED_WIDTH
from ...fixed.storage import as_object
from .handlers.base import Unsupported

#: QONNX's CEIL (no ap_fixed mode): written as a floor of the negated value
CEIL = "CEIL"
#: rounding modes with round(v + z) == round(v) + z for every integer z: the zero point may
#: be added after rounding (ONNX's order); the others must round v + z (QONNX's order)
_SHIFT_INVARIANT = ("TRN", "RND", "RND_MIN_INF")


def code_range(bits: int, signed: bool, narrow: bool) -> tuple[int, int]:
    """The integer codes ``[qmin, qmax]`` of a ``bits``-bit (narrow) quantizer (QONNX min/max_int)."""
    if signed:
        return -(1 << (bits - 1)) + int(narrow), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1 - int(narrow)


def split_scale(scale: np.ndarray, where: str) -> tuple[np.ndarray, int]:
    """``(D, kmin)`` with ``scale == D * 2**kmin``: positive integers ``D = a * 2**(k - kmin)``
    (``a`` the odd part of each scale) on the finest grid ``2**kmin`` among them."""
    scale = np.asarray(scale, dtype=np.float64)
    if not np.all(np.isfinite(scale)) or np.any(scale <= 0):
        bad = scale[~np.isfinite(scale) | (scale <= 0)].reshape(-1)[:3]
        raise Unsupported(f"{where} {bad.tolist()} must be positive and finite")
    a, k = dyadic(scale)
    kmin = int(k.min())
    if int(k.max()) - kmin > 64:
        raise Unsupported(f"{where} spans 2^{kmin}..2^{int(k.max())}: more than 64 binary orders "
                          "of magnitude between channels")
    return np.asarray(as_object(a) << as_object(k - kmin), dtype=object), kmin


def integer_zero_point(zero, where: str) -> np.ndarray:
    """The zero point as integers, or Unsupported (QONNX allows floats; they are not codes)."""
    z = np.asarray(zero)
    if z.dtype.kind == "f" and (not np.all(np.isfinite(z)) or np.any(z != np.round(z))):
        raise Unsupported(f"{where} {z.reshape(-1)[:3].tolist()} is not an integer")
    return z.astype(np.int64)


def exact_constant(ctx, name: str, mantissas, frac: int) -> str:
    """Add constant ``name`` = ``mantissas * 2**-frac`` exactly, in the tightest type holding it."""
    t, values = tightest_type(mantissas, frac)
    if t.width > MAX_DECLARED_WIDTH:
        raise Unsupported(f"the exact values need {t.width} bits, more than {MAX_DECLARED_WIDTH}")
    ctx.add_const(name, values)
    ctx.graph.tensors[name].type, ctx.graph.tensors[name].declared = t, True
    return name


def _wide_integer_grid(kmin: int, rounding: str) -> FixedType:
    """A type wide enough to hold any rounded code on the grid ``2**kmin`` (no overflow)."""
    return FixedType(True, 512, 512 + kmin, rounding, "WRAP")


def constant_values(x, scale, zero, bits: int, signed: bool, narrow: bool, rounding: str,
                    zero_before_rounding: bool) -> tuple[np.ndarray, int]:
    """Exact mantissas and frac of ``s * (clamp(round(x / s [+ z]) [+ z], qmin, qmax) - z)``."""
    divisor, kmin = split_scale(scale, "the scale")
    qmin, qmax = code_range(bits, signed, narrow)
    m, f = float_to_exact(np.asarray(x, dtype=np.float64))
    m, f, divisor, z = np.broadcast_arrays(as_object(m), as_object(f), divisor, as_object(zero))
    if rounding == CEIL:                 # ceil(v) = -floor(-v); ceil commutes with integer shifts
        codes = -as_object(divide_cast(-m, f, divisor, _wide_integer_grid(kmin, "TRN")))
        codes = np.minimum(np.maximum(codes, qmin - z), qmax - z)
        return np.asarray(codes * divisor, dtype=object), -kmin
    wide = _wide_integer_grid(kmin, rounding)
    if zero_before_rounding:
        # x + z*s on a common grid, exact: z*s = z * D * 2**kmin
        frac = max(int(f.max()) if f.size else 0, -kmin)
        num = (m << (frac - f)) + ((z * divisor) << (frac + kmin))
        codes = as_object(divide_cast(num, frac, divisor, wide))
        codes = np.minimum(np.maximum(codes, qmin), qmax) - z
    else:
        codes = as_object(divide_cast(m, f, divisor, wide))
        codes = np.minimum(np.maximum(codes, qmin - z), qmax - z)
    return np.asarray(codes * divisor, dtype=object), -kmin


def activation_quantizer(ctx, node, x: str, out: str, scale, zero, bits: int, signed: bool,
                         narrow: bool, rounding: str, zero_before_rounding: bool,
                         dequantize: bool = True) -> str:
    """Requantize [+ Clip] [+ Mul by D] for a float-scaled quantizer on activation ``x``.

    Returns the tensor holding ``q - z`` on the grid ``2**kmin`` (before the Mul by D), which
    is ``out`` itself when ``dequantize`` is False.
    """
    divisor, kmin = split_scale(scale, "the scale")
    qmin, qmax = code_range(bits, signed, narrow)
    z = np.asarray(zero, dtype=np.int64)
    if rounding == CEIL:
        # ceil(x / D) = -floor(-x / D): negate, requantize by flooring to the negated codes, negate
        flipped = ctx.temp(f"{node.name}_negated")
        ctx.add("Neg", [x], [flipped], f"{node.name}_negate")
        floor = _requantize(ctx, node, flipped, divisor, kmin, "TRN", -(qmax - z), -(qmin - z))
        centred = out if not dequantize else ctx.temp(f"{node.name}_codes")
        ctx.add("Neg", [floor], [centred], f"{node.name}_ceil")
    elif zero_before_rounding and rounding not in _SHIFT_INVARIANT and np.any(z != 0):
        # QONNX rounds x/s + z: with a sign- or parity-dependent mode the zero point moves ties
        offset = exact_constant(ctx, ctx.graph.unique_name(f"{node.name}_zero_offset"),
                                as_object(z) * divisor, -kmin)
        shifted = ctx.temp(f"{node.name}_shifted")
        ctx.add("Add", [x, offset], [shifted], f"{node.name}_zero_offset")
        codes = _requantize(ctx, node, shifted, divisor, kmin, rounding, np.int64(qmin), np.int64(qmax))
        unshift = exact_constant(ctx, ctx.graph.unique_name(f"{node.name}_unshift"), -z, -kmin)
        centred = out if not dequantize else ctx.temp(f"{node.name}_codes")
        ctx.add("Add", [codes, unshift], [centred], f"{node.name}_unshift")
    else:
        codes = _requantize(ctx, node, x, divisor, kmin, rounding, qmin - z, qmax - z,
                            out=None if dequantize else out)
        centred = codes
    if dequantize:
        d = exact_constant(ctx, ctx.graph.unique_name(f"{node.name}_scale"), divisor, 0)
        ctx.add("Mul", [centred, d], [out], f"{node.name}_dequantize")
    return centred


def _requantize(ctx, node, x: str, divisor, kmin: int, rounding: str, lo, hi, out=None) -> str:
    """Requantize ``x / D`` to the codes ``lo..hi`` on the grid ``2**kmin`` (a Clip when the
    bounds are not a type's); returns the tensor holding the clamped codes."""
    lo, hi = np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)
    t = code_type(int(lo.min()), int(hi.max()), kmin, rounding)
    problem = t.declaration_problem()
    if problem:
        raise Unsupported(problem)
    exact_bounds = (t.saturation_bounds == (int(lo.min()), int(hi.max()))
                    and lo.min() == lo.max() and hi.min() == hi.max())
    rounded = out if (exact_bounds and out) else ctx.temp(f"{node.name}_codes")
    d = divisor.reshape(()) if divisor.size == 1 else divisor
    # int64 while every divisor fits (the usual float32 scale: 24 bits), Python ints beyond
    fits = all(int(v) < 2**62 for v in d.reshape(-1))
    ctx.add("Requantize", [x], [rounded], node.name, type=t, divisor=d.astype(np.int64) if fits else d)
    if exact_bounds:
        return rounded
    bounds = [exact_constant(ctx, ctx.graph.unique_name(f"{node.name}_{side}"), v, -kmin)
              for side, v in (("min", lo), ("max", hi))]
    clamped = out or ctx.temp(f"{node.name}_clamped")
    ctx.add("Clip", [rounded] + bounds, [clamped], f"{node.name}_clamp", bounds=(True, True))
    return clamped


def code_type(lo: int, hi: int, kmin: int, rounding: str) -> FixedType:
    """The narrowest saturating type holding the codes ``lo..hi`` on the grid ``2**kmin``."""
    signed = lo < 0
    width = max(max(hi, 0).bit_length() + int(signed), (-lo - 1).bit_length() + 1 if signed else 1, 1)
    if signed and -lo == hi and hi == (1 << (width - 1)) - 1:
        return FixedType(True, width, width + kmin, rounding, "SAT_SYM")
    return FixedType(signed, width, width + kmin, rounding, "SAT")
