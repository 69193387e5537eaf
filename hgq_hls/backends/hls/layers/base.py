"""The HLS layer registry and the index arithmetic handed to templates as data."""

from __future__ import annotations

import numpy as np

from ....registry import registrar

#: op name -> builder(LayerContext) -> (template name, context dict)
LAYERS = {}


layer = registrar(LAYERS, "the HLS context builder")


def strides(shape) -> list[int]:
    """Row-major strides (in elements) of an array of ``shape``."""
    return [int(np.prod(shape[d + 1:], dtype=np.int64)) for d in range(len(shape))]


def index_terms(out_shape, in_shape, in_strides=None):
    """How an output element's flat index ``i`` maps to an input's flat index.

    ``None`` means the same index; otherwise a list of ``dict(div, size, stride)`` meaning
    ``sum((i / div % size) * stride)`` (an empty list is index 0).  Numpy broadcasting
    aligns ``in_shape`` right; ``in_strides`` (per output axis) serves permutations.
    """
    out_shape = tuple(out_shape)
    if in_strides is None:
        if tuple(in_shape) == out_shape:
            return None
        padded = (1,) * (len(out_shape) - len(in_shape)) + tuple(in_shape)
        in_strides = [0 if padded[d] == 1 else s for d, s in enumerate(strides(padded))]
    return [dict(div=div, size=size, stride=stride)
            for div, size, stride in zip(strides(out_shape), out_shape, in_strides)
            if stride and size > 1]
