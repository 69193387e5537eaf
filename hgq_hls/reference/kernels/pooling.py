"""MaxPool and AveragePool kernels."""

from __future__ import annotations

import numpy as np

from ...fixed.storage import as_object
from ..exact import bit_bound, fits, product
from .linear import windows
from .base import kernel


def _window_args(node):
    a = node.attrs
    return a["kernel_shape"], a["strides"], a["pads"], a["dilations"]


def _reduce(cols, n, fn):
    return fn(cols, axis=tuple(range(cols.ndim - n, cols.ndim)))


@kernel("MaxPool")
def max_pool(node, inputs, graph):
    arr, frac = inputs[0]
    n = len(node.attrs["kernel_shape"])
    if arr.dtype == object:
        fill = min(arr.min(), 0) - 1
    elif arr.dtype.kind == "f":
        fill = -np.inf
    else:
        fill = np.iinfo(np.int64).min
    cols = windows(arr, *_window_args(node), fill)
    return [(_reduce(cols, n, np.max), frac)]


@kernel("AveragePool")
def average_pool(node, inputs, graph):
    (arr, frac), (scale, fs) = inputs
    n = len(node.attrs["kernel_shape"])
    cols = windows(arr, *_window_args(node), 0)
    count = int(np.prod(node.attrs["kernel_shape"]))
    if arr.dtype.kind == "i" and not fits(bit_bound(arr) + count.bit_length()):
        cols = as_object(np.ascontiguousarray(cols))
    total = _reduce(cols, n, np.sum)
    return [(product(total, scale), None if frac is None else frac + fs)]
