"""HLS context builders of MaxPool and AveragePool: window geometry and the stored window-sum type."""

from __future__ import annotations

from ....lowering.geometry import window_geometry
from ..context import LayerContext
from .base import layer


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
