"""Vector-Jacobian products of MaxPool (to the first maximum) and AveragePool."""

from __future__ import annotations

import numpy as np

from ...reference.kernels.linear import windows
from .base import vjp, window_adjoint


@vjp("MaxPool")
def max_pool(node, ins, outs, up):
    x = ins[0]
    a = node.attrs
    n = len(a["kernel_shape"])
    cols = windows(x, a["kernel_shape"], a["strides"], a["pads"], a["dilations"], -np.inf)
    flat = cols.reshape(cols.shape[:2 + n] + (-1,))
    first = flat.argmax(axis=-1)                               # ties: the first maximum
    mask = np.zeros(flat.shape)
    np.put_along_axis(mask, first[..., None], 1.0, axis=-1)
    gcols = (mask * up[0][..., None]).reshape(cols.shape)
    return [window_adjoint(gcols, x.shape, node)]


@vjp("AveragePool")
def average_pool(node, ins, outs, up):
    x, scale = ins
    a = node.attrs
    n = len(a["kernel_shape"])
    cols = windows(x, a["kernel_shape"], a["strides"], a["pads"], a["dilations"], 0)
    total = cols.sum(axis=tuple(range(2 + n, 2 + 2 * n)))
    g_total = up[0] * scale
    gcols = np.broadcast_to(g_total[(Ellipsis,) + (None,) * n], cols.shape)
    return [window_adjoint(gcols, x.shape, node), up[0] * total]
