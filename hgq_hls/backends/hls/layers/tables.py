"""HLS context builders of Lookup and Softmax: their tables, with the stored row-sum type."""

from __future__ import annotations

import numpy as np

from ..context import LayerContext
from .base import layer


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
