"""Lowering of elementwise arithmetic: sums, products, ReLU, negation, PReLU, Clip."""

from __future__ import annotations

import numpy as np

from .base import Const, elementwise, lowering, operands


def _shape(node, g):
    return tuple(g.tensors[node.outputs[0]].shape)


@lowering("Add", "Sub")
def add_sub(net, node, ins, g):
    shape, sign = _shape(node, g), (1 if node.op == "Add" else -1)
    a, b = (operands(net, v, shape) for v in ins)
    return [elementwise(lambda x, y: net.sum([(1, x), (sign, y)]), a, b)]


@lowering("Mul")
def mul(net, node, ins, g):
    shape = _shape(node, g)
    a, b = ins
    if isinstance(a, Const):
        a, b = b, a
    if isinstance(b, Const):
        m = np.broadcast_to(b.m, shape)
        x = operands(net, a, shape)
        out = np.empty(shape, dtype=object)
        for idx in np.ndindex(*shape):
            out[idx] = net.scale(x[idx], int(m[idx]), b.frac)
        return [out]
    return [elementwise(net.multiply, operands(net, a, shape), operands(net, b, shape))]


@lowering("Relu")
def relu(net, node, ins, g):
    return [elementwise(net.relu, ins[0])]


@lowering("Neg")
def neg(net, node, ins, g):
    return [elementwise(net.negate, ins[0])]


@lowering("PRelu")
def prelu(net, node, ins, g):
    x, slope = ins
    m = np.broadcast_to(slope.m, x.shape)
    out = np.empty(x.shape, dtype=object)
    for idx in np.ndindex(*x.shape):
        out[idx] = net.select(x[idx], x[idx], net.scale(x[idx], int(m[idx]), slope.frac))
    return [out]


@lowering("Clip")
def clip(net, node, ins, g):
    x, rest = ins[0], iter(ins[1:])
    has_lo, has_hi = node.attrs["bounds"]
    if has_lo:
        lo = operands(net, next(rest), x.shape)
        x = elementwise(lambda a, b: net.extreme(a, b, "max"), x, lo)
    if has_hi:
        hi = operands(net, next(rest), x.shape)
        x = elementwise(lambda a, b: net.extreme(a, b, "min"), x, hi)
    return [x]
