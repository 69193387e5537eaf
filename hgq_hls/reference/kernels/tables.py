"""Lookup and Softmax kernels: table lookups at the codes of each table's input type."""

from __future__ import annotations

import numpy as np

from ...ir.ops.tables import FUNCTIONS
from .base import kernel
from .quantize import to_type


@kernel("Lookup")
def lookup(node, inputs, graph):
    arr, frac = inputs[0]
    if frac is None and node.attrs["table"] is None:       # untyped graph: the function itself
        return [(FUNCTIONS[node.attrs["func"]](arr + node.attrs.get("offset", 0.0)), None)]
    a = node.attrs
    return [_table_lookup(inputs[0], a["in_type"], a["out_type"], a["table"])]


def _table_lookup(value, in_type, out_type, table):
    codes, _ = to_type(value, in_type)
    return table[np.asarray(codes, dtype=np.int64) - in_type.min_mantissa], out_type.frac


@kernel("Softmax")
def softmax(node, inputs, graph):
    arr, frac = inputs[0]
    axis = node.attrs["axis"] + 1
    if frac is None and node.attrs["tables"] is None:       # untyped graph: exact softmax
        e = np.exp(arr - arr.max(axis=axis, keepdims=True))
        return [(e / e.sum(axis=axis, keepdims=True), None)]
    a = node.attrs
    exp_table, inv_table = a["tables"]
    distance = arr.max(axis=axis, keepdims=True) - arr           # >= 0, exact
    e, fe = _table_lookup((distance, frac), a["exp_in"], a["exp_out"], exp_table)
    total = e.sum(axis=axis, keepdims=True)
    inv, fi = _table_lookup((total, fe), a["inv_in"], a["inv_out"], inv_table)
    return [(e * inv, fe + fi)]
