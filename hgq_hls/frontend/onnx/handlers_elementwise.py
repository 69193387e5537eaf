"""Add, Sub, Mul, Div (by a constant), Relu, LeakyRelu, PRelu, Clip, Sigmoid, Tanh."""

from __future__ import annotations

import numpy as np

from ...ir.ops.tables import DEFAULT_TABLE_TYPES, softmax_table_types
from .registry import Unsupported, handles


def per_sample_const(ctx, name: str, activation_rank: int) -> str:
    """A constant operand with its batch axis dropped, so it broadcasts per sample."""
    value = ctx.const(name)
    if value.ndim <= activation_rank:
        return name
    extra = value.ndim - activation_rank
    if any(d != 1 for d in value.shape[:extra]):
        raise Unsupported(f"constant {name!r} of shape {value.shape} varies along the batch axis")
    return ctx.new_const(name, value.reshape(value.shape[extra:]), like=name)


def _operands(ctx, node) -> list[str]:
    rank = max(len(ctx.shape(i)) for i in node.input if ctx.const(i) is None)
    return [per_sample_const(ctx, i, rank) if ctx.const(i) is not None else i for i in node.input]


@handles("Add", "Sub", "Mul")
def binary(ctx, node):
    ctx.add(node.op_type, _operands(ctx, node), [node.output[0]], node.name)


@handles("Div")
def div(ctx, node):
    divisor = ctx.require_const(node, 1, "the divisor")
    if ctx.graph.tensors[node.input[1]].type is not None:
        raise Unsupported("division by a quantized constant is not supported")
    if np.any(divisor == 0):
        raise Unsupported("division by zero")
    recip = ctx.new_const(f"{node.name}_reciprocal", 1.0 / divisor.astype(np.float64))
    x = node.input[0]
    rank = len(ctx.shape(x))
    ctx.add("Mul", [x, per_sample_const(ctx, recip, rank)], [node.output[0]], node.name)


@handles("Relu")
def relu(ctx, node):
    ctx.add("Relu", [node.input[0]], [node.output[0]], node.name)


@handles("LeakyRelu")
def leaky_relu(ctx, node):
    alpha = ctx.attrs(node).get("alpha", 0.01)
    slope = ctx.new_const(f"{node.name}_alpha", np.array(alpha, dtype=np.float64))
    ctx.add("PRelu", [node.input[0], slope], [node.output[0]], node.name)


@handles("PRelu")
def prelu(ctx, node):
    ctx.require_const(node, 1, "the slope")
    x_shape = ctx.shape(node.input[0])
    slope = per_sample_const(ctx, node.input[1], len(x_shape))
    value = ctx.const(slope)
    try:
        np.broadcast_shapes(value.shape, x_shape)
    except ValueError:
        # opset < 7 exports give one slope per channel as a 1-D tensor (channel = axis 1)
        if value.ndim != 1 or len(x_shape) < 2 or value.shape[0] != x_shape[0]:
            raise Unsupported(f"slope of shape {value.shape} does not broadcast to {x_shape}") from None
        slope = ctx.new_const(f"{node.name}_slope", value.reshape((-1,) + (1,) * (len(x_shape) - 1)),
                              like=slope)
    ctx.add("PRelu", [node.input[0], slope], [node.output[0]], node.name)


@handles("Clip")
def clip(ctx, node):
    a = ctx.attrs(node)
    bounds = []
    if "min" in a or "max" in a:  # opset < 11 keeps the bounds as attributes
        for key in ("min", "max"):
            bounds.append(ctx.new_const(f"{node.name}_{key}", np.array(a[key])) if key in a else None)
    else:
        for k in (1, 2):
            has = len(node.input) > k and node.input[k]
            bounds.append(node.input[k] if has else None)
            if has:
                ctx.require_const(node, k, "a Clip bound")
    inputs = [node.input[0]] + [b for b in bounds if b]
    ctx.add("Clip", inputs, [node.output[0]], node.name, bounds=tuple(b is not None for b in bounds))


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
