"""Sigmoid and Tanh (a Lookup with the default table types) and Softmax (two tables)."""

from __future__ import annotations

from ....ir.ops.tables import DEFAULT_TABLE_TYPES, softmax_table_types
from .base import Unsupported, handles


@handles("Sigmoid", "Tanh")
def table_activation(ctx, node):
    func = node.op_type.lower()
    in_type, out_type = DEFAULT_TABLE_TYPES[func]
    ctx.add("Lookup", [node.input[0]], [node.output[0]], node.name, func=func,
            in_type=in_type, out_type=out_type, table=None)


@handles("Softmax")
def softmax(ctx, node):
    shape = ctx.shape(node.input[0])
    axis = ctx.attrs(node).get("axis", -1)
    axis = axis + len(shape) + 1 if axis < 0 else axis
    if axis == 0:
        raise Unsupported("softmax over the batch axis is not supported")
    n = shape[axis - 1]
    ctx.add("Softmax", [node.input[0]], [node.output[0]], node.name, axis=axis - 1,
            tables=None, **softmax_table_types(n))
