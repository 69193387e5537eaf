"""Lowering of MaxPool (comparator trees) and AveragePool (an adder tree, then the divisor)."""

from __future__ import annotations

import numpy as np

from ..geometry import window_geometry, window_taps
from .base import balanced_tree, lowering


def _windows(x, node):
    geo = window_geometry(x.shape, node.attrs, node.attrs["kernel_shape"])
    x2 = x.reshape(geo["c"], geo["h"], geo["w"])
    for c in range(geo["c"]):
        for oh in range(geo["oh"]):
            for ow in range(geo["ow"]):
                yield (c, oh, ow), [x2[c, ih, iw] for _, _, ih, iw in window_taps(geo, oh, ow)], geo


@lowering("MaxPool")
def max_pool(net, node, ins, g):
    shape = g.tensors[node.outputs[0]].shape
    out = np.empty(int(np.prod(shape)), dtype=object)
    for k, (_, taps, _) in enumerate(_windows(ins[0], node)):
        out[k] = balanced_tree(taps, lambda a, b: net.extreme(a, b, "max"))
    return [out.reshape(shape)]


@lowering("AveragePool")
def average_pool(net, node, ins, g):
    x, scale = ins
    shape = g.tensors[node.outputs[0]].shape
    out = np.empty(int(np.prod(shape)), dtype=object)
    for k, ((c, oh, ow), taps, geo) in enumerate(_windows(x, node)):
        total = net.sum([(1, t) for t in taps])
        factor = scale.m.reshape(-1)[oh * geo["ow"] + ow if scale.m.size > 1 else 0]
        out[k] = net.scale(total, int(factor), scale.frac)
    return [out.reshape(shape)]
