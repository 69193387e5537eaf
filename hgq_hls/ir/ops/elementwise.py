"""Elementwise ops: Add, Sub, Mul (numpy broadcasting), Relu, Neg, PRelu, Clip."""

from __future__ import annotations

import numpy as np

from ...fixed import Interval
from .base import OpDef, register


def _broadcast_shape(in_shapes):
    return [tuple(np.broadcast_shapes(*in_shapes))]


class _Binary(OpDef):
    def shape(self, node, in_shapes):
        return _broadcast_shape(in_shapes)


@register
class Add(_Binary):
    """``a + b``."""

    name = "Add"
    light_with_constant = True

    def interval(self, node, ivs):
        return [ivs[0] + ivs[1]]


@register
class Sub(_Binary):
    """``a - b``."""

    name = "Sub"
    light_with_constant = True

    def interval(self, node, ivs):
        return [ivs[0] - ivs[1]]


@register
class Mul(_Binary):
    """``a * b`` (exact product)."""

    name = "Mul"
    light_with_constant = True
    elementwise_product = True

    def interval(self, node, ivs):
        return [ivs[0] * ivs[1]]


@register
class Relu(OpDef):
    """``max(x, 0)``."""

    name = "Relu"
    light = True

    def interval(self, node, ivs):
        return [ivs[0].relu()]


@register
class Neg(OpDef):
    """``-x`` (exact: an unsigned input gives a signed result one bit wider)."""

    name = "Neg"
    light = True        # one carry chain, like an offset by a constant

    def interval(self, node, ivs):
        return [-ivs[0]]


@register
class PRelu(OpDef):
    """``x if x >= 0 else x * slope`` (LeakyRelu is a PRelu with a scalar slope)."""

    name = "PRelu"
    light = True
    elementwise_product = True

    def interval(self, node, ivs):
        x, slope = ivs
        zero = Interval.exact(np.zeros(x.shape, dtype=np.int64), 0)
        negative = x.minimum(zero) * slope
        return [x.relu().union(negative)]


@register
class Clip(OpDef):
    """``min(max(x, lo), hi)``; ``attrs["bounds"]`` says which of inputs 1, 2 exist."""

    name = "Clip"
    light = True

    def interval(self, node, ivs):
        x = ivs[0]
        rest = iter(ivs[1:])
        has_lo, has_hi = node.attrs["bounds"]
        if has_lo:
            x = x.maximum(next(rest))
        if has_hi:
            x = x.minimum(next(rest))
        return [x]
