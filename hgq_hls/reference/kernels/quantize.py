"""Quantize and Bipolar kernels, and the conversion of a value to a type."""

from __future__ import annotations

import numpy as np

from ...fixed import cast, to_mantissa
from .base import kernel


def to_type(value, t):
    """A value (float or mantissas) converted to type ``t``, as ap_fixed would."""
    arr, frac = value
    if frac is None:
        return to_mantissa(arr, t), t.frac
    return cast(arr, frac, t), t.frac


@kernel("Quantize")
def quantize(node, inputs, graph):
    return [to_type(inputs[0], node.attrs["type"])]


@kernel("Bipolar")
def bipolar(node, inputs, graph):
    arr, _ = inputs[0]
    return [(np.where(arr >= 0, 1, -1).astype(np.int64), node.attrs["frac"])]
