"""HLS context builders of Dense and Conv: the layer plan's typedefs and pragmas, and the loop bounds."""

from __future__ import annotations

from ....lowering.geometry import window_geometry
from ....lowering.hls_plan import mac_plan
from ..context import LayerContext
from .base import layer


def _mac(ctx: LayerContext) -> dict:
    """The product and accumulator typedefs, where products are built, and the allocation limit.

    All from the layer's plan (:func:`hgq_hls.lowering.hls_plan.mac_plan`), which the HLS
    estimate reads too: the limit shares the multiplications that exist (non-zero weights,
    taps that read data).
    """
    plan = mac_plan(ctx.types.graph, ctx.node, ctx.reuse_factor)
    acc_t = ctx.typedef("acc_t", plan.accumulator_type)
    return dict(acc_t=acc_t, prod_t=ctx.typedef("prod_t", plan.product_type), impl=plan.impl,
                mult_limit=plan.multipliers)


@layer("Dense")
def dense(ctx: LayerContext):
    x, w = ctx.ins[0], ctx.ins[1]
    k, n = w.shape
    rows = x.size // k
    return "dense", dict(ctx.base(), k=k, n=n, rows=rows, w=w,
                         b=ctx.ins[2] if len(ctx.ins) > 2 else None, **_mac(ctx))


@layer("Conv")
def conv(ctx: LayerContext):
    x, w = ctx.ins[0], ctx.ins[1]
    geo = window_geometry(x.shape, ctx.node.attrs, w.shape[2:])
    groups = ctx.node.attrs["group"]
    out_ch, per_group = w.shape[0], w.shape[1]
    return "conv", dict(ctx.base(), geo=geo, o=out_ch, cg=per_group, opg=out_ch // groups, w=w,
                        b=ctx.ins[2] if len(ctx.ins) > 2 else None, **_mac(ctx))
