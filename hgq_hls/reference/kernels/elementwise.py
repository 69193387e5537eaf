"""Elementwise kernels: Add, Sub, Mul, Relu, Neg, PRelu, Clip."""

from __future__ import annotations

import operator

import numpy as np

from ..exact import align, common_frac, product, shift_left, sum_terms
from .base import kernel


def _additive(inputs, op):
    frac = common_frac(inputs)
    return [(sum_terms(align(inputs[0], frac), align(inputs[1], frac), op), frac)]


@kernel("Add")
def add(node, inputs, graph):
    return _additive(inputs, operator.add)


@kernel("Sub")
def sub(node, inputs, graph):
    return _additive(inputs, operator.sub)


def _mul(a, b):
    (x, fx), (y, fy) = a, b
    return product(x, y), (None if fx is None else fx + fy)


@kernel("Mul")
def mul(node, inputs, graph):
    return [_mul(inputs[0], inputs[1])]


@kernel("Relu")
def relu(node, inputs, graph):
    arr, frac = inputs[0]
    return [(np.maximum(arr, 0), frac)]


@kernel("Neg")
def neg(node, inputs, graph):
    arr, frac = inputs[0]
    return [(-arr, frac)]


@kernel("PRelu")
def prelu(node, inputs, graph):
    (x, fx), (s, fs) = inputs
    negative, frac = _mul(inputs[0], inputs[1])
    positive = x if fx is None else shift_left(x, fs)
    return [(np.where(x >= 0, positive, negative), frac)]


@kernel("Clip")
def clip(node, inputs, graph):
    frac = common_frac(inputs)
    x = align(inputs[0], frac)
    rest = iter(inputs[1:])
    has_lo, has_hi = node.attrs["bounds"]
    if has_lo:
        x = np.maximum(x, align(next(rest), frac))
    if has_hi:
        x = np.minimum(x, align(next(rest), frac))
    return [(x, frac)]
