"""Lowering of data movement: wiring only."""

from __future__ import annotations

import numpy as np

from ...ir.ops.movement import take_slice
from .base import lowering, operands


@lowering("Identity")
def passthrough(net, node, ins, g):
    return [ins[0]]


@lowering("Reshape")
def reshape(net, node, ins, g):
    return [ins[0].reshape(tuple(node.attrs["shape"]))]


@lowering("Transpose")
def transpose(net, node, ins, g):
    return [np.transpose(ins[0], node.attrs["perm"])]


@lowering("Slice")
def slice_(net, node, ins, g):
    return [take_slice(ins[0], node.attrs)]


@lowering("Concat")
def concat(net, node, ins, g):
    shapes = [v.shape for v in ins]
    return [np.concatenate([operands(net, v, s) for v, s in zip(ins, shapes)], axis=node.attrs["axis"])]


@lowering("Pad")
def pad(net, node, ins, g):
    x, value = ins
    n, pads = x.ndim, node.attrs["pads"]
    fill = net.const(int(np.asarray(value.m).reshape(-1)[0]), value.frac)
    out = np.empty(tuple(d + pads[k] + pads[k + n] for k, d in enumerate(x.shape)), dtype=object)
    out.fill(fill)
    out[tuple(slice(pads[k], pads[k] + x.shape[k]) for k in range(n))] = x
    return [out]
