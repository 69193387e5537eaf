"""MaxPool and AveragePool (N-d windows over (C, *spatial)); global pools are full windows."""

from __future__ import annotations

import numpy as np

from ...fixed import FixedType, Interval
from .base import OpDef, broadcast_to, register
from .linear import conv_output_shape


class _Pool(OpDef):
    def shape(self, node, in_shapes):
        x = in_shapes[0]
        a = node.attrs
        return [(x[0],) + conv_output_shape(x[1:], a["kernel_shape"], a["strides"], a["pads"],
                                            a["dilations"])]

    def _channel_hull(self, x: Interval) -> Interval:
        return x.hull(axis=tuple(range(1, x.lo.ndim))).reshape((x.shape[0],) + (1,) * (x.lo.ndim - 1))


@register
class MaxPool(_Pool):
    """Maximum over each window; padding never wins (it reads as -inf)."""

    name = "MaxPool"

    def interval(self, node, ivs):
        out = self.shape(node, [ivs[0].shape])[0]
        return [broadcast_to(self._channel_hull(ivs[0]), out)]


@register
class AveragePool(_Pool):
    """Window sum times the constant ``scale`` (input 1): 1/window size, per output position."""

    name = "AveragePool"

    def interval(self, node, ivs):
        x, scale = ivs
        out = self.shape(node, [x.shape])[0]
        channel = self._channel_hull(x)
        if any(node.attrs["pads"]):
            channel = channel.union(Interval.exact(np.zeros(channel.shape, dtype=np.int64), 0))
        count = int(np.prod(node.attrs["kernel_shape"]))
        window_sum = Interval(channel.lo * count, channel.hi * count, channel.frac)
        return [broadcast_to(window_sum, out) * scale.hull()]

    def inner_types(self, node, in_types, in_shapes):
        # the window sum in C: the input type with room for adding kernel-size terms
        x, grow = in_types[0], int(np.prod(node.attrs["kernel_shape"])).bit_length()
        return {"sum_type": FixedType(x.signed, x.width + grow, x.integer + grow)}
