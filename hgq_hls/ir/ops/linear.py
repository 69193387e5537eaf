"""Dense and Conv: constant-weight multiply-accumulate ops, and MatMul of two activations,
sized exactly by interval rules.

Interval rules work per channel: the input set of a channel is the hull over its positions
(with 0 added where padding reads zeros), which is sound and keeps sizing fast for large
feature maps.
"""

from __future__ import annotations

import numpy as np

from ...fixed import Interval
from .base import OpDef, broadcast_to, register


def conv_output_shape(in_spatial, kernel, strides, pads, dilations):
    """Output spatial size of a convolution or pooling window (ONNX rules, floor mode)."""
    n = len(in_spatial)
    out = []
    for d in range(n):
        span = dilations[d] * (kernel[d] - 1) + 1
        out.append((in_spatial[d] + pads[d] + pads[d + n] - span) // strides[d] + 1)
    return tuple(out)


def with_bias(acc: Interval, node, ivs) -> Interval:
    """Add the bias interval (third input) if the node has one."""
    return acc + ivs[2] if len(node.inputs) > 2 else acc


@register
class Dense(OpDef):
    """``y = x @ W (+ b)`` over the last axis; ``W`` is a constant of shape (K, N)."""

    name = "Dense"
    multiply_accumulate = True

    def shape(self, node, in_shapes):
        return [tuple(in_shapes[0][:-1]) + (in_shapes[1][1],)]

    def interval(self, node, ivs):
        x, w = ivs[0], ivs[1]
        per_input = x.hull(axis=tuple(range(x.lo.ndim - 1))) if x.lo.ndim > 1 else x
        acc = with_bias(per_input @ w, node, ivs)
        return [broadcast_to(acc, tuple(x.shape[:-1]) + acc.shape)]


@register
class Conv(OpDef):
    """N-d convolution, ONNX semantics (``pads`` begin..., end...; ``group``); x is (C, *spatial)."""

    name = "Conv"
    multiply_accumulate = True

    def shape(self, node, in_shapes):
        x, w = in_shapes[0], in_shapes[1]
        a = node.attrs
        spatial = conv_output_shape(x[1:], w[2:], a["strides"], a["pads"], a["dilations"])
        return [(w[0],) + spatial]

    def interval(self, node, ivs):
        x, w = ivs[0], ivs[1]
        groups = node.attrs["group"]
        channel = x.hull(axis=tuple(range(1, x.lo.ndim)))              # (C,)
        if any(node.attrs["pads"]):
            zero = Interval.exact(np.zeros(channel.shape, dtype=np.int64), 0)
            channel = channel.union(zero)
        out_ch, per_group = w.shape[0], w.shape[1]
        # input channel read by each (output channel, kernel channel) pair
        index = (np.arange(out_ch) // (out_ch // groups))[:, None] * per_group + np.arange(per_group)
        xin = channel.map(lambda a: a[index].reshape(index.shape + (1,) * (w.lo.ndim - 2)))
        acc = (w * xin).sum(axis=tuple(range(1, w.lo.ndim)))            # (O,)
        acc = with_bias(acc, node, ivs)
        out_shape = self.shape(node, [x.shape, w.shape])[0]
        return [broadcast_to(acc.reshape((out_ch,) + (1,) * (len(out_shape) - 1)), out_shape)]


@register
class MatMul(OpDef):
    """``y = a @ b`` of two activations over their last two axes, ``a`` (..., M, K) and ``b``
    (..., K, N) with equal leading axes (attention's scores and weighted sums); exact products
    and sums."""

    name = "MatMul"
    matrix_product = True

    def shape(self, node, in_shapes):
        a, b = in_shapes
        return [tuple(a[:-1]) + (b[-1],)]

    def interval(self, node, ivs):
        a, b = ivs
        return [(a[..., :, :, None] * b[..., None, :, :]).sum(axis=-2)]
