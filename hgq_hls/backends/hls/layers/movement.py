"""HLS context builders of Identity, Reshape, Transpose, Slice, Concat, Pad: copies with index maps."""

from __future__ import annotations

import numpy as np

from ..context import LayerContext
from .base import index_terms, layer, strides


@layer("Identity", "Reshape")
def copy(ctx: LayerContext):
    return "copy", ctx.base()


@layer("Transpose")
def transpose(ctx: LayerContext):
    x, y = ctx.ins[0], ctx.outs[0]
    in_strides = strides(x.shape)
    permuted = [in_strides[p] for p in ctx.node.attrs["perm"]]
    return "transpose", dict(ctx.base(), source=index_terms(y.shape, x.shape, permuted) or [])


@layer("Slice")
def slice_(ctx: LayerContext):
    x, y, a = ctx.ins[0], ctx.outs[0], ctx.node.attrs
    in_strides = strides(x.shape)
    offset = sum(start * stride for start, stride in zip(a["starts"], in_strides))
    stepped = [step * stride for step, stride in zip(a["steps"], in_strides)]
    return "slice", dict(ctx.base(), offset=offset, source=index_terms(y.shape, x.shape, stepped) or [])


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
            for d, (div, size, stride) in enumerate(zip(strides(y.shape), y.shape, strides(x.shape)))]
    return "pad", dict(ctx.base(), dims=dims, value=value, n=n)
