"""Lowering of the quantizers: a Quantize is its output port's cast; a BipolarQuant a select."""

from __future__ import annotations

from .base import elementwise, lowering


@lowering("Quantize")
def quantize(net, node, ins, g):
    return [ins[0]]


@lowering("Bipolar")
def bipolar(net, node, ins, g):
    frac = node.attrs["frac"]
    return [elementwise(lambda v: net.select(v, net.const(1, frac), net.const(-1, frac)), ins[0])]
