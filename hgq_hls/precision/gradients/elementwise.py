"""Vector-Jacobian products of Add, Sub, Mul, Relu, Neg, PRelu, Clip."""

from __future__ import annotations

import numpy as np

from .base import vjp


@vjp("Add")
def add(node, ins, outs, up):
    return [up[0], up[0]]


@vjp("Sub")
def sub(node, ins, outs, up):
    return [up[0], -up[0]]


@vjp("Mul")
def mul(node, ins, outs, up):
    a, b = ins
    return [up[0] * b, up[0] * a]


@vjp("Relu")
def relu(node, ins, outs, up):
    return [up[0] * (ins[0] > 0)]


@vjp("Neg")
def neg(node, ins, outs, up):
    return [-up[0]]


@vjp("PRelu")
def prelu(node, ins, outs, up):
    x, slope = ins
    negative = x < 0
    return [up[0] * np.where(negative, slope, 1.0), up[0] * x * negative]


@vjp("Clip")
def clip(node, ins, outs, up):
    x = ins[0]
    passes = np.ones(np.shape(x), dtype=bool)
    grads = [None] * len(ins)
    rest = iter(range(1, len(ins)))
    has_lo, has_hi = node.attrs["bounds"]
    for present, side in ((has_lo, "lo"), (has_hi, "hi")):
        if present:
            k = next(rest)
            bound = ins[k]
            hit = (x < bound) if side == "lo" else (x > bound)
            passes &= ~hit
            grads[k] = up[0] * hit
    grads[0] = up[0] * passes
    return grads
