"""HLS context builders of Quantize (a copy: the cast is the assignment; per element: one cast
per run of elements of one type), Requantize (exact integer division by a magic multiply),
Threshold (integer comparisons and a count) and BipolarQuant."""

from __future__ import annotations

import numpy as np

from ....fixed import ElementTypes, FixedType
from ....lowering.division import plan_division
from ....lowering.stream_plan import host_divides, uniform_cast
from ..context import LayerContext
from .base import layer


def _runs(types: ElementTypes) -> list[tuple[int, int, object]]:
    """(start, end, FixedType or None for pruned) of each run of equal types in flat order."""
    flat = types.elements()
    runs, start = [], 0
    for k in range(1, len(flat) + 1):
        if k == len(flat) or flat[k] != flat[start]:
            runs.append((start, k, None if flat[start].width == 0 else flat[start]))
            start = k
    return runs


@layer("Quantize")
def quantize(ctx: LayerContext):
    t = ctx.node.attrs["type"]
    if uniform_cast(ctx.types.graph, ctx.node):
        # one type: the assignment to the output array is the cast; a graph input the host
        # already converted per element only moves
        return "copy", ctx.base()
    typedefs: dict = {}
    runs = [dict(start=a, end=b, type=None if e is None else
                 typedefs.setdefault(e, ctx.typedef(f"e{len(typedefs)}_t", e))) for a, b, e in _runs(t)]
    return "quantize_elements", dict(ctx.base(), runs=runs)


def _int_literal(v: int, ctype: str) -> str:
    """An exact C++ integer constant: a literal while it fits a long long, else from decimal."""
    v = int(v)
    if -(1 << 62) < v < (1 << 62):
        return f"{v}LL"
    return f"{'-' if v < 0 else ''}{ctype}(\"{abs(v)}\", 10)"


def _bits(v: int) -> int:
    """Two's-complement bits of ``v`` (at least 1)."""
    v = int(v)
    return max(v.bit_length() if v >= 0 else (-v - 1).bit_length(), 0) + 1


def _offset_term(offset: int, wide: int) -> str:
    """`` - offset`` written without a double minus."""
    if offset >= 0:
        return f" - {_int_literal(offset, f'ap_int<{wide}>')}"
    return f" + {_int_literal(-offset, f'ap_int<{wide}>')}"


def _division_group(ctx: LayerContext, k: int, d: int, indices: list[int], t_in: FixedType, t: FixedType) -> dict:
    """The constants and integer widths of one divisor's elements (the plan of
    :mod:`hgq_hls.lowering.division`, sized from the input type's range)."""
    p = plan_division(t_in.min_mantissa, t_in.max_mantissa, t_in.frac, d, t)
    x_lo = t_in.min_mantissa if p.clamp_lo is None else p.clamp_lo
    x_hi = t_in.max_mantissa if p.clamp_hi is None else p.clamp_hi
    n_lo, n_hi = (x_lo >> p.drop) << p.guard, (x_hi >> p.drop) << p.guard
    wide = max(_bits(n_lo), _bits(n_hi), _bits(p.offset)) + 1
    q_lo, q_hi = n_lo // p.odd, n_hi // p.odd
    w_bits = max(_bits(2 * q_lo), _bits(2 * q_hi + 1))
    group = dict(divisor=d, odd=p.odd, exp=p.exp, guard=p.guard, drop=p.drop, shift=p.shift, count=len(indices),
                 clamp_lo=None if p.clamp_lo is None else _int_literal(p.clamp_lo, f"ap_int<{_bits(p.clamp_lo)}>"),
                 clamp_hi=None if p.clamp_hi is None else _int_literal(p.clamp_hi, f"ap_int<{_bits(p.clamp_hi)}>"),
                 subtract_offset=_offset_term(p.offset, wide),
                 indices=indices, contiguous=indices == list(range(indices[0], indices[0] + len(indices))),
                 start=indices[0], wide=wide, w_bits=w_bits,
                 w_t=ctx.typedef(f"q{k}_t", FixedType(True, w_bits, w_bits - p.quotient_frac - 1)))
    if p.odd > 1:
        span_bits, magic_bits = max(p.span.bit_length(), 1), p.magic.bit_length()
        group.update(span_bits=span_bits, product_bits=span_bits + magic_bits,
                     quotient_bits=max((p.span // p.odd).bit_length(), 1),
                     magic=_int_literal(p.magic, f"ap_uint<{magic_bits}>"),
                     base=_int_literal(p.offset // p.odd, f"ap_int<{w_bits}>"))
    else:
        # a power of two: the mantissa itself, read on the finer grid, is the exact quotient
        group["w_t"] = ctx.typedef(f"q{k}_t", FixedType(t_in.signed, max(t_in.width, 1),
                                                        max(t_in.width, 1) - t_in.frac - p.exp))
    return group


@layer("Requantize")
def requantize(ctx: LayerContext):
    graph, node = ctx.types.graph, ctx.node
    if host_divides(graph, node):
        return "copy", ctx.base()            # a float graph input: the host divided it
    x = ctx.ins[0]
    d = np.broadcast_to(np.asarray(node.attrs["divisor"], dtype=object), x.shape).reshape(-1)
    by_divisor: dict[int, list[int]] = {}
    for i, v in enumerate(d):
        by_divisor.setdefault(int(v), []).append(i)
    groups = [_division_group(ctx, k, v, idx, x.fixed, node.attrs["type"])
              for k, (v, idx) in enumerate(sorted(by_divisor.items()))]
    return "requantize", dict(ctx.base(), groups=groups, x_bits=max(x.fixed.width, 1),
                              x_signed=x.fixed.signed)


@layer("Threshold")
def threshold(ctx: LayerContext):
    a, x = ctx.node.attrs, ctx.ins[0]
    t_in, t = x.fixed, a["type"]
    levels = np.shape(a["thresholds"])[-1]
    th = np.broadcast_to(np.asarray(a["thresholds"], dtype=object), x.shape + (levels,)).reshape(-1, levels)
    base = np.broadcast_to(np.asarray(a["base"], dtype=object), x.shape).reshape(-1)
    step = np.broadcast_to(np.asarray(a["step"]), x.shape).reshape(-1)
    # compare mantissas on the finer of the input's and the thresholds' grids
    frac = max(t_in.frac, a["in_frac"])
    values = [int(v) << (frac - a["in_frac"]) for v in th.reshape(-1)] + \
        [t_in.min_mantissa << (frac - t_in.frac), t_in.max_mantissa << (frac - t_in.frac)]
    wide = max(_bits(v) for v in values) + 1
    m_bits = max(max(_bits(int(b)) for b in base) if base.size else 1, _bits(levels), t.width) + 2
    rows = [[_int_literal(int(v) << (frac - a["in_frac"]), f"ap_int<{wide}>") for v in row] for row in th]
    return "threshold", dict(ctx.base(), levels=levels, rows=rows, wide=wide, lshift=frac - t_in.frac,
                             x_bits=max(t_in.width, 1), x_signed=t_in.signed, m_bits=m_bits,
                             count_bits=_bits(levels), base=[_int_literal(int(b), f"ap_int<{m_bits}>") for b in base],
                             step=[int(v) for v in step], out_bits=max(t.width, 1), out_signed=t.signed)


@layer("Bipolar")
def bipolar(ctx: LayerContext):
    return "bipolar", dict(ctx.base(), one=2.0 ** -ctx.node.attrs["frac"])
