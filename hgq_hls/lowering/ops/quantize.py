"""Lowering of the quantizers: a Quantize is its output port's cast; a BipolarQuant a select."""

from __future__ import annotations

import numpy as np

from ...fixed import ElementTypes
from .base import elementwise, lowering


@lowering("Quantize")
def quantize(net, node, ins, g):
    t = node.attrs["type"]
    if not isinstance(t, ElementTypes):
        return [ins[0]]                     # the output port's cast is the quantizer
    # each element cast to its own type; the port then places it on the container's grid
    x = ins[0]
    out = np.empty(x.shape, dtype=object)
    for e in np.ndindex(*x.shape):
        out[e] = net.cast(x[e], t.element(e))
    return [out]


@lowering("Bipolar")
def bipolar(net, node, ins, g):
    frac = node.attrs["frac"]
    return [elementwise(lambda v: net.select(v, net.const(1, frac), net.const(-1, frac)), ins[0])]
