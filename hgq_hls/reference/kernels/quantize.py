"""Quantize and Bipolar kernels, and the conversion of a value to a type."""

from __future__ import annotations

import numpy as np

from ...fixed import convert
from .base import kernel


def to_type(value, t):
    """A value (float or mantissas) converted to type ``t`` (one type, or one per element),
    as ap_fixed would."""
    return convert(*value, t)


@kernel("Quantize")
def quantize(node, inputs, graph):
    return [to_type(inputs[0], node.attrs["type"])]


@kernel("Bipolar")
def bipolar(node, inputs, graph):
    arr, _ = inputs[0]
    return [(np.where(arr >= 0, 1, -1).astype(np.int64), node.attrs["frac"])]
