"""Quantize, Bipolar and Lookup kernels."""

from __future__ import annotations

import numpy as np

from ...fixed import cast, to_mantissa
from ...ir.ops.tables import FUNCTIONS
from .registry import kernel


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


@kernel("Lookup")
def lookup(node, inputs, graph):
    arr, frac = inputs[0]
    if frac is None and node.attrs["table"] is None:       # untyped graph: the function itself
        return [(FUNCTIONS[node.attrs["func"]](arr), None)]
    in_type = node.attrs["in_type"]
    codes, _ = to_type(inputs[0], in_type)
    index = np.asarray(codes, dtype=np.int64) - in_type.min_mantissa
    return [(node.attrs["table"][index], node.attrs["out_type"].frac)]
