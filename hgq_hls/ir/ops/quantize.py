"""Quantize: a cast to a declared type (the model's quantizers and the default precision)."""

from __future__ import annotations

import numpy as np

from ...fixed import ElementTypes, FixedType, Interval, cast
from ...fixed.division import divide_cast
from ...fixed.rounding import round_shift
from ...fixed.storage import as_object
from .base import OpDef, register

_WIDE = 4096  # wide enough that rounding an interval endpoint never overflows


def quantize_interval(iv: Interval, t) -> Interval:
    """The set of values ``cast(x, t)`` takes for ``x`` in ``iv`` (rounding is monotone);
    ``t`` is one type, or :class:`ElementTypes` (each element on its own grid)."""
    per_element = isinstance(t, ElementTypes)
    if not per_element and t.width == 0:
        return Interval(np.zeros(iv.shape, dtype=object), np.zeros(iv.shape, dtype=object), 0)
    if per_element:
        lo, hi = np.broadcast_arrays(*(np.asarray(round_shift(as_object(b), as_object(iv.frac - t.frac),
                                                              t.rounding), dtype=object) for b in (iv.lo, iv.hi)))
    else:
        exact = FixedType(True, _WIDE, _WIDE - t.frac, t.rounding, "WRAP")
        lo, hi = cast(iv.lo, iv.frac, exact), cast(iv.hi, iv.frac, exact)
    lo, hi = _overflow_bounds(lo, hi, t)
    if per_element:
        lo, hi = np.where(t.pruned, 0, lo), np.where(t.pruned, 0, hi)
    return Interval(lo, hi, t.frac)


def _overflow_bounds(lo, hi, t):
    """Bounds of the overflow-handled values, from the bounds of the rounded (unbounded) ones."""
    tmin, tmax = t.saturation_bounds
    overflows = (lo < t.min_mantissa) | (hi > t.max_mantissa)
    if t.overflow == "WRAP":
        lo = np.where(overflows, t.min_mantissa, lo)
        hi = np.where(overflows, t.max_mantissa, hi)
    else:
        lo = np.minimum(np.maximum(lo, tmin), tmax)
        hi = np.maximum(np.minimum(hi, tmax), tmin)
        if t.overflow == "SAT_ZERO":
            lo = np.where(overflows, np.minimum(lo, 0), lo)
            hi = np.where(overflows, np.maximum(hi, 0), hi)
    return lo, hi


@register
class Quantize(OpDef):
    """``y = cast(x, attrs["type"])`` with the type's rounding and overflow (QONNX Quant, ...);
    ``attrs["type"]`` may be :class:`~hgq_hls.fixed.ElementTypes`: each element its own."""

    name = "Quantize"
    declares_type = True
    typed_by_attr = True
    light = True

    def interval(self, node, ivs):
        return [quantize_interval(ivs[0], node.attrs["type"])]


@register
class Bipolar(OpDef):
    """``y = (x >= 0 ? +1 : -1) * 2**-attrs["frac"]`` (QONNX BipolarQuant)."""

    name = "Bipolar"
    declares_type = True
    light = True

    def interval(self, node, ivs):
        shape = ivs[0].shape
        return [Interval(np.full(shape, -1, dtype=object), np.full(shape, 1, dtype=object),
                         node.attrs["frac"])]


@register
class Requantize(OpDef):
    """``y = cast(x / attrs["divisor"], attrs["type"])``, exactly: a float scale's quantizer.

    ``divisor`` holds positive integers broadcasting to the input per sample (one per channel
    for a per-channel scale): ``x / (a * 2**k)`` of a float scale is ``x / a`` on the grid
    ``2**k``.  The result is rounded from the exact quotient (:mod:`hgq_hls.fixed.division`).
    """

    name = "Requantize"
    declares_type = True
    typed_by_attr = True

    def interval(self, node, ivs):
        t, d = node.attrs["type"], node.attrs["divisor"]
        iv = ivs[0]
        # x / d is monotone (d > 0) and so is rounding: round the endpoints, then overflow
        exact = FixedType(True, _WIDE, _WIDE - t.frac, t.rounding, "WRAP")
        lo, hi = divide_cast(iv.lo, iv.frac, d, exact), divide_cast(iv.hi, iv.frac, d, exact)
        lo, hi = _overflow_bounds(lo, hi, t)
        return [Interval(lo, hi, t.frac)]


def threshold_counts(x, x_frac, thresholds, t_frac) -> np.ndarray:
    """``#{k: x >= thresholds[..., k]}`` per element, exactly (``x`` mantissas on ``2**-x_frac``,
    ``thresholds`` on ``2**-t_frac``, their last axis the levels)."""
    x, thresholds = np.asarray(x), np.asarray(thresholds)
    frac = max(int(np.max(x_frac)), int(t_frac))
    left = frac - np.asarray(x_frac, dtype=np.int64)
    if x.dtype != object and thresholds.dtype != object and np.ndim(x_frac) == 0 and frac - t_frac < 62 \
            and int(left) < 62 and _bits(x) + int(left) <= 62 and _bits(thresholds) + frac - int(t_frac) <= 62:
        xs, ts = x.astype(np.int64) << int(left), thresholds.astype(np.int64) << (frac - int(t_frac))
    else:
        xs = as_object(x) << as_object(left)
        ts = as_object(thresholds) << (frac - int(t_frac))
    return np.sum(np.asarray(xs[..., None] >= ts, dtype=np.int64), axis=-1)


def _bits(a: np.ndarray) -> int:
    """Magnitude bits of the largest element (0 for an empty array)."""
    if a.size == 0:
        return 0
    return max(abs(int(a.min())), abs(int(a.max()))).bit_length()


@register
class Threshold(OpDef):
    """``y = base + step * #{k: x >= thresholds[..., k]}``: a monotone function of ``x`` with few
    output values, as comparisons (FINN's MultiThreshold, exact).

    attrs: ``thresholds`` (integer mantissas on the grid ``2**-in_frac``, the last axis the
    levels, the others broadcasting to the input), ``base`` and ``step`` (integer mantissas of
    ``type``, broadcasting likewise: threshold fusion makes ``step`` +1 or -1, the direction;
    a FINN MultiThreshold's ``out_scale`` may be any multiple of the lsb), ``type``.  The
    input must be fixed point (a float graph input needs ``input_type=``).
    """

    name = "Threshold"
    typed_by_attr = True

    def interval(self, node, ivs):
        a, iv = node.attrs, ivs[0]
        lo = threshold_counts(iv.lo, iv.frac, a["thresholds"], a["in_frac"])
        hi = threshold_counts(iv.hi, iv.frac, a["thresholds"], a["in_frac"])
        base, step = as_object(np.asarray(a["base"])), as_object(np.asarray(a["step"]))
        ends = base + step * as_object(lo), base + step * as_object(hi)
        return [Interval(np.minimum(*ends), np.maximum(*ends), a["type"].frac)]
