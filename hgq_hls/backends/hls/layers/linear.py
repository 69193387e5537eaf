"""HLS context builders of Dense and Conv (the layer plan's typedefs and pragmas, and the loop bounds)
and of MatMul of two activations."""

from __future__ import annotations

from ....lowering.geometry import window_geometry
from ....fixed import FixedType
from ....lowering.hls_plan import accumulator_type, c_fixed_type, mac_plan, product_type
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


def _element_operands(ctx: LayerContext, plan, rows: int, k: int) -> list[list[dict]]:
    """Per row, each input element's operand and product typedefs (pruned elements: none).

    Casting each operand to its own type lets Vitis HLS size each product and the adders
    after it for that element; a pruned element's products are not written at all.
    """
    typedefs: dict = {}
    w_t = c_fixed_type(plan.weight_type)

    def names(e: FixedType) -> tuple[str, str]:
        if e not in typedefs:
            j = len(typedefs)
            typedefs[e] = (ctx.typedef(f"x{j}_t", e), ctx.typedef(f"p{j}_t", product_type(e, w_t)))
        return typedefs[e]

    flat = plan.input_elements.elements()
    return [[dict(i=i, x_t=names(e)[0], p_t=names(e)[1]) for i in range(k)
             for e in [flat[r * k + i]] if e.width > 0] for r in range(rows)]


@layer("Dense")
def dense(ctx: LayerContext):
    x, w = ctx.ins[0], ctx.ins[1]
    k, n = w.shape
    rows = x.size // k
    context = dict(ctx.base(), k=k, n=n, rows=rows, w=w, b=ctx.ins[2] if len(ctx.ins) > 2 else None,
                   **_mac(ctx))
    plan = mac_plan(ctx.types.graph, ctx.node, ctx.reuse_factor)
    if plan.input_elements is None:
        return "dense", context
    return "dense_elements", dict(context, operands=_element_operands(ctx, plan, rows, k))


@layer("Conv")
def conv(ctx: LayerContext):
    x, w = ctx.ins[0], ctx.ins[1]
    geo = window_geometry(x.shape, ctx.node.attrs, w.shape[2:])
    groups = ctx.node.attrs["group"]
    out_ch, per_group = w.shape[0], w.shape[1]
    return "conv", dict(ctx.base(), geo=geo, o=out_ch, cg=per_group, opg=out_ch // groups, w=w,
                        b=ctx.ins[2] if len(ctx.ins) > 2 else None, **_mac(ctx))


@layer("MatMul")
def activation_matmul(ctx: LayerContext):
    a, b = ctx.ins
    m, k = a.shape[-2:]
    n = b.shape[-1]
    # the exact sum of K products, as precision inference sized it; each product exact in C++
    acc_t = ctx.typedef("acc_t", accumulator_type(ctx.types.graph, ctx.node))
    prod_t = ctx.typedef("prod_t", product_type(a.fixed, b.fixed))
    return "matmul", dict(ctx.base(), a=a, b=b, m=m, k=k, n=n, lead=a.size // (m * k), acc_t=acc_t,
                          prod_t=prod_t)
