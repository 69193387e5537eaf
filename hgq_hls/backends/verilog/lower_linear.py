"""Lowering of Dense, Conv and pooling: constant multiplications as shift-and-add trees."""

from __future__ import annotations

import numpy as np

from ..geometry import window_geometry, window_taps
from .lower import lowering


def _dot(net, pairs, weight_frac, bias=None, bias_frac=0):
    """``sum(x * w) + bias`` with every ``x * w`` as CSD shifted copies of ``x``."""
    terms = []
    for x, w in pairs:
        terms += net.const_terms(x, int(w), weight_frac)
    if bias:
        terms.append((1, net.const(int(bias), bias_frac)))
    total = net.sum(terms)
    if total is None:
        frac = pairs[0][0].fmt.frac + weight_frac if pairs else weight_frac
        total = net.const(0, frac)
    return total


@lowering("Dense")
def dense(net, node, ins, g):
    x, w = ins[0], ins[1]
    bias = ins[2] if len(ins) > 2 else None
    k, n = w.shape
    rows = x.reshape(-1, k)
    out = np.empty((len(rows), n), dtype=object)
    for r in range(len(rows)):
        for j in range(n):
            out[r, j] = _dot(net, [(rows[r, i], w.m[i, j]) for i in range(k) if w.m[i, j]], w.frac,
                             bias.m[j] if bias is not None else None, bias.frac if bias is not None else 0)
    return [out.reshape(x.shape[:-1] + (n,))]


@lowering("Conv")
def conv(net, node, ins, g):
    x, w = ins[0], ins[1]
    bias = ins[2] if len(ins) > 2 else None
    geo = window_geometry(x.shape, node.attrs, w.shape[2:])
    x2 = x.reshape(geo["c"], geo["h"], geo["w"])
    w2 = w.m.reshape(w.shape[0], w.shape[1], geo["kh"], geo["kw"])
    out_ch, per_group = w.shape[0], w.shape[1]
    per_out = out_ch // node.attrs["group"]
    out = np.empty((out_ch, geo["oh"], geo["ow"]), dtype=object)
    for o in range(out_ch):
        first = o // per_out * per_group
        for oh in range(geo["oh"]):
            for ow in range(geo["ow"]):
                pairs = [(x2[first + c, ih, iw], w2[o, c, kh, kw])
                         for c in range(per_group) for kh, kw, ih, iw in window_taps(geo, oh, ow)
                         if w2[o, c, kh, kw]]
                out[o, oh, ow] = _dot(net, pairs, w.frac, bias.m[o] if bias is not None else None,
                                      bias.frac if bias is not None else 0)
    return [out.reshape(g.tensors[node.outputs[0]].shape)]


def _windows(x, node):
    geo = window_geometry(x.shape, node.attrs, node.attrs["kernel_shape"])
    x2 = x.reshape(geo["c"], geo["h"], geo["w"])
    for c in range(geo["c"]):
        for oh in range(geo["oh"]):
            for ow in range(geo["ow"]):
                yield (c, oh, ow), [x2[c, ih, iw] for _, _, ih, iw in window_taps(geo, oh, ow)], geo


def _tree(values, combine):
    while len(values) > 1:
        values = [combine(a, b) for a, b in zip(values[0::2], values[1::2])] + values[len(values) // 2 * 2:]
    return values[0]


@lowering("MaxPool")
def max_pool(net, node, ins, g):
    shape = g.tensors[node.outputs[0]].shape
    out = np.empty(int(np.prod(shape)), dtype=object)
    for k, (_, taps, _) in enumerate(_windows(ins[0], node)):
        out[k] = _tree(taps, lambda a, b: net.extreme(a, b, "max"))
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
