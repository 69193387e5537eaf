"""HLS context builders of Add, Sub, Mul, Relu, Neg, PRelu, Clip: operand index maps for broadcasting."""

from __future__ import annotations

from ..context import LayerContext
from .base import index_terms, layer


@layer("Add", "Sub", "Mul")
def binary(ctx: LayerContext):
    y = ctx.outs[0]
    symbol = {"Add": "+", "Sub": "-", "Mul": "*"}[ctx.node.op]
    a, b = ctx.ins
    return "binary", dict(ctx.base(), symbol=symbol, a=a, b=b,
                          a_index=index_terms(y.shape, a.shape), b_index=index_terms(y.shape, b.shape))


@layer("Relu")
def relu(ctx: LayerContext):
    return "relu", ctx.base()


@layer("Neg")
def neg(ctx: LayerContext):
    return "neg", ctx.base()


@layer("PRelu")
def prelu(ctx: LayerContext):
    x, slope = ctx.ins
    return "prelu", dict(ctx.base(), slope=slope, slope_index=index_terms(x.shape, slope.shape))


@layer("Clip")
def clip(ctx: LayerContext):
    x, bounds = ctx.ins[0], iter(ctx.ins[1:])
    has_lo, has_hi = ctx.node.attrs["bounds"]
    lo, hi = next(bounds) if has_lo else None, next(bounds) if has_hi else None
    # bounds broadcast per element (Min/Max by a constant tensor); a scalar bound reads [0]
    return "clip", dict(ctx.base(), lo=lo, hi=hi,
                        lo_index=index_terms(x.shape, lo.shape) if lo else None,
                        hi_index=index_terms(x.shape, hi.shape) if hi else None)
