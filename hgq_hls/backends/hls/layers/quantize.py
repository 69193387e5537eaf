"""HLS context builders of Quantize (a copy: the cast is the assignment) and BipolarQuant."""

from __future__ import annotations

from ..context import LayerContext
from .base import layer


@layer("Quantize")
def quantize(ctx: LayerContext):
    return "copy", ctx.base()


@layer("Bipolar")
def bipolar(ctx: LayerContext):
    return "bipolar", dict(ctx.base(), one=2.0 ** -ctx.node.attrs["frac"])
