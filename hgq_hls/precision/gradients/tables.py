"""Vector-Jacobian products of the table ops (Lookup by its function, Softmax)."""

from __future__ import annotations

import numpy as np

from ...errors import Problem, UnsupportedModelError
from .base import vjp


@vjp("Lookup")
def lookup(node, ins, outs, up):
    y = outs[0]
    func = node.attrs["func"]
    if func == "sigmoid":
        return [up[0] * y * (1 - y)]
    if func == "tanh":
        return [up[0] * (1 - y * y)]
    if func == "exp_neg":
        return [-up[0] * y]
    if func == "expm1_neg":                                 # d/dt (exp(-t) - 1) = -(y + 1)
        return [-up[0] * (y + 1)]
    if func == "reciprocal":
        return [-up[0] * y * y]
    if func == "sqrt":                                      # d/dv sqrt(v) = 1 / (2 y)
        return [up[0] * 0.5 / np.maximum(y, np.finfo(float).tiny)]
    if func == "rsqrt":                                     # d/dv (v + eps)^(-1/2) = -y^3 / 2
        return [-0.5 * up[0] * y * y * y]
    raise UnsupportedModelError([Problem(node.name, node.op, f"no gradient rule for table {func!r}")])


@vjp("Softmax")
def softmax(node, ins, outs, up):
    y = outs[0]
    axis = node.attrs["axis"] + 1
    return [y * (up[0] - (up[0] * y).sum(axis=axis, keepdims=True))]
