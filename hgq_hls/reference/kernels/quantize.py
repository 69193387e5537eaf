"""Quantize, Requantize, Threshold and Bipolar kernels, and the conversion of a value to a type."""

from __future__ import annotations

import numpy as np

from ...fixed import convert
from ...fixed.division import divide_cast, divide_cast_float
from ...fixed.storage import to_storage
from ...ir.ops.quantize import threshold_counts
from .base import kernel


def to_type(value, t):
    """A value (float or mantissas) converted to type ``t`` (one type, or one per element),
    as ap_fixed would."""
    return convert(*value, t)


@kernel("Quantize")
def quantize(node, inputs, graph):
    return [to_type(inputs[0], node.attrs["type"])]


@kernel("Requantize")
def requantize(node, inputs, graph):
    (arr, frac), t, d = inputs[0], node.attrs["type"], node.attrs["divisor"]
    if frac is None:                 # a float graph input: each float is an exact rational
        return [(divide_cast_float(arr, d, t), t.frac)]
    return [(divide_cast(arr, frac, d, t), t.frac)]


@kernel("Threshold")
def threshold(node, inputs, graph):
    (arr, frac), a = inputs[0], node.attrs
    count = threshold_counts(arr, frac, a["thresholds"], a["in_frac"])
    y = np.asarray(a["base"], dtype=np.int64) + np.asarray(a["step"], dtype=np.int64) * count
    return [(to_storage(y, a["type"].width), a["type"].frac)]


@kernel("Bipolar")
def bipolar(node, inputs, graph):
    arr, _ = inputs[0]
    return [(np.where(arr >= 0, 1, -1).astype(np.int64), node.attrs["frac"])]
