"""One context builder per IR op: what ``templates/hls/layers/<template>.h.j2`` is rendered with.

A builder returns ``(template, context)``.  Index arithmetic is handed to the templates as
data (strides and sizes); the C++ text lives only in the templates.
"""

from __future__ import annotations


import numpy as np

from ...lowering.geometry import window_geometry
from ...lowering.hls_plan import mac_plan
from ...registry import registrar
from .context import LayerContext

#: op name -> builder(LayerContext) -> (template name, context dict)
LAYERS = {}


layer = registrar(LAYERS, "the HLS context builder")


def _strides(shape) -> list[int]:
    return [int(np.prod(shape[d + 1:], dtype=np.int64)) for d in range(len(shape))]


def index_terms(out_shape, in_shape, in_strides=None):
    """How an output element's flat index ``i`` maps to an input's flat index.

    ``None`` means the same index; otherwise a list of ``dict(div, size, stride)`` meaning
    ``sum((i / div % size) * stride)`` (an empty list is index 0).  Numpy broadcasting
    aligns ``in_shape`` right; ``in_strides`` (per output axis) serves permutations.
    """
    out_shape = tuple(out_shape)
    if in_strides is None:
        if tuple(in_shape) == out_shape:
            return None
        padded = (1,) * (len(out_shape) - len(in_shape)) + tuple(in_shape)
        in_strides = [0 if padded[d] == 1 else s for d, s in enumerate(_strides(padded))]
    return [dict(div=div, size=size, stride=stride)
            for div, size, stride in zip(_strides(out_shape), out_shape, in_strides)
            if stride and size > 1]


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


@layer("MaxPool")
def max_pool(ctx: LayerContext):
    attrs = ctx.node.attrs
    return "max_pool", dict(ctx.base(), geo=window_geometry(ctx.ins[0].shape, attrs, attrs["kernel_shape"]))


@layer("AveragePool")
def average_pool(ctx: LayerContext):
    x, scale = ctx.ins
    attrs = ctx.node.attrs
    geo = window_geometry(x.shape, attrs, attrs["kernel_shape"])
    sum_t = ctx.typedef("sum_t", attrs["sum_type"])
    return "average_pool", dict(ctx.base(), geo=geo, sum_t=sum_t, scale=scale,
                                per_position=scale.size > 1)


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


@layer("PRelu")
def prelu(ctx: LayerContext):
    x, slope = ctx.ins
    return "prelu", dict(ctx.base(), slope=slope, slope_index=index_terms(x.shape, slope.shape))


@layer("Clip")
def clip(ctx: LayerContext):
    bounds = iter(ctx.ins[1:])
    has_lo, has_hi = ctx.node.attrs["bounds"]
    return "clip", dict(ctx.base(), lo=next(bounds) if has_lo else None,
                        hi=next(bounds) if has_hi else None)


@layer("Quantize", "Identity", "Reshape")
def copy(ctx: LayerContext):
    return "copy", ctx.base()


@layer("Bipolar")
def bipolar(ctx: LayerContext):
    return "bipolar", dict(ctx.base(), one=2.0 ** -ctx.node.attrs["frac"])


@layer("Transpose")
def transpose(ctx: LayerContext):
    x, y = ctx.ins[0], ctx.outs[0]
    in_strides = _strides(x.shape)
    permuted = [in_strides[p] for p in ctx.node.attrs["perm"]]
    return "transpose", dict(ctx.base(), source=index_terms(y.shape, x.shape, permuted) or [])


@layer("Concat")
def concat(ctx: LayerContext):
    axis, y = ctx.node.attrs["axis"], ctx.outs[0]
    outer = int(np.prod(y.shape[:axis], dtype=np.int64))
    parts, offset = [], 0
    for v in ctx.ins:
        inner = int(np.prod(v.shape[axis:], dtype=np.int64))
        parts.append(dict(view=v, inner=inner, offset=offset))
        offset += inner
    return "concat", dict(ctx.base(), outer=outer, out_inner=offset, parts=parts)


@layer("Pad")
def pad(ctx: LayerContext):
    x, value = ctx.ins
    y, n = ctx.outs[0], len(ctx.ins[0].shape)
    pads = ctx.node.attrs["pads"]
    dims = [dict(div=div, size=size, pad=pads[d], in_size=x.shape[d], in_stride=stride)
            for d, (div, size, stride) in enumerate(zip(_strides(y.shape), y.shape, _strides(x.shape)))]
    return "pad", dict(ctx.base(), dims=dims, value=value, n=n)


@layer("Lookup")
def lookup(ctx: LayerContext):
    a = ctx.node.attrs
    return "lookup", dict(ctx.base(), table=ctx.table("table", a["in_type"], a["out_type"], a["table"]))


@layer("Softmax")
def softmax(ctx: LayerContext):
    a, x = ctx.node.attrs, ctx.ins[0]
    axis = a["axis"] % len(x.shape)
    n = x.shape[axis]
    exp_table, inv_table = a["tables"]
    exp_out = a["exp_out"]
    sum_t = ctx.typedef("sum_t", a["sum_type"])
    return "softmax", dict(ctx.base(), n=n, outer=int(np.prod(x.shape[:axis], dtype=np.int64)),
                           inner=int(np.prod(x.shape[axis + 1:], dtype=np.int64)), sum_t=sum_t,
                           exp=ctx.table("exp", a["exp_in"], exp_out, exp_table),
                           inv=ctx.table("inv", a["inv_in"], a["inv_out"], inv_table))
