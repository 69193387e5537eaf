"""Add, Sub, Mul, Div (by a constant, or by a square root), Pow (squares), Relu, Neg, Abs, LeakyRelu, PRelu, Clip, Min/Max,
BatchNormalization (eval)."""

from __future__ import annotations

import numpy as np

from .base import Unsupported, add_lookup, handles


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


def divide_by_sqrt(ctx, node) -> bool:
    """``x / sqrt(v)`` (LayerNorm as older exporters decompose it) as ``x * rsqrt(v)``: one table,
    not a square root followed by a reciprocal.  The Sqrt node stays for any other reader; with
    none, the dead-node pass removes it.  False when the divisor is no Sqrt's result."""
    producer = ctx.graph.producer(node.input[1])
    if producer is None or producer.op != "Lookup" or producer.attrs["func"] != "sqrt":
        return False
    inverse = ctx.temp(f"{node.name}_rsqrt")
    add_lookup(ctx, "rsqrt", producer.inputs[0], inverse, f"{node.name}_rsqrt")
    ctx.add("Mul", [node.input[0], inverse], [node.output[0]], node.name)
    return True


@handles("Div")
def div(ctx, node):
    if ctx.const(node.input[1]) is None and divide_by_sqrt(ctx, node):
        return
    divisor = ctx.require_const(node, 1, "the divisor")
    if ctx.graph.tensors[node.input[1]].type is not None:
        raise Unsupported("division by a quantized constant is not supported")
    if np.any(divisor == 0):
        raise Unsupported("division by zero")
    recip = ctx.new_const(f"{node.name}_reciprocal", 1.0 / divisor.astype(np.float64))
    x = node.input[0]
    rank = len(ctx.shape(x))
    ctx.add("Mul", [x, per_sample_const(ctx, recip, rank)], [node.output[0]], node.name)


@handles("Pow")
def power(ctx, node):
    """``x ** 2`` as the exact product ``x * x`` (LayerNorm's variance as older exporters write it)."""
    exponent = np.asarray(ctx.require_const(node, 1, "the exponent"), dtype=np.float64)
    if exponent.size != 1 or float(exponent.reshape(-1)[0]) != 2.0:
        raise Unsupported(f"exponent {exponent.reshape(-1).tolist()}: only squares (2) are supported")
    ctx.add("Mul", [node.input[0], node.input[0]], [node.output[0]], node.name)


@handles("Relu")
def relu(ctx, node):
    ctx.add("Relu", [node.input[0]], [node.output[0]], node.name)


@handles("Neg")
def neg(ctx, node):
    ctx.add("Neg", [node.input[0]], [node.output[0]], node.name)


@handles("Abs")
def abs_(ctx, node):
    """|x| is PRelu with slope -1 (x where x >= 0, else -x): one exact op, on every backend."""
    slope = ctx.new_const(f"{node.name}_slope", np.array(-1.0))
    ctx.add("PRelu", [node.input[0], slope], [node.output[0]], node.name)


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


@handles("Min", "Max")
def min_max(ctx, node):
    """Elementwise Min/Max of activations and constants, as a chain of Clips.

    ``max(x, b)`` is ``x`` clipped from below by ``b`` and ``min(x, b)`` from above, whether
    ``b`` is a constant or another activation, so every backend's Clip serves; more inputs
    chain (max is associative).  QONNX's portable per-element form is ``Quant -> Min -> Max``
    with constant bounds; the passes fuse such clamps into the quantizer's per-element types.
    """
    inputs = [i for i in node.input if i]
    activations = [i for i in inputs if ctx.const(i) is None]
    rank = max(len(ctx.shape(i)) for i in activations)
    operands = [i if ctx.const(i) is None else per_sample_const(ctx, i, rank) for i in inputs]
    shapes = [tuple(ctx.shape(i)) if ctx.const(i) is None else ctx.const(i).shape for i in operands]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise Unsupported(f"the input shapes {shapes} do not broadcast") from None
    full = [i for i, s in zip(operands, shapes) if ctx.const(i) is None and s == shape]
    if not full:
        raise Unsupported(f"no activation input has the output shape {shape} (inputs {shapes}): "
                          "one must, the others broadcast to it")
    x, rest = full[0], [i for i in operands if i != full[0]]
    if not rest:                                           # Max(x) and Max(x, x) are x
        ctx.add("Identity", [x], [node.output[0]], node.name)
        return
    bounds = (node.op_type == "Max", node.op_type == "Min")
    for k, bound in enumerate(rest):
        last = k == len(rest) - 1
        out = node.output[0] if last else f"{node.output[0]}_{node.op_type.lower()}{k}"
        ctx.add("Clip", [x, bound], [out], node.name if last else f"{node.name}_{k}", bounds=bounds)
        x = out


@handles("BatchNormalization")
def batch_norm(ctx, node):
    a = ctx.attrs(node)
    if a.get("training_mode", 0) or len(node.output) > 1 and any(node.output[1:]):
        raise Unsupported("training-mode BatchNormalization is not supported (export in eval mode)")
    gamma, beta, mean, var = (ctx.require_const(node, k, what).astype(np.float64) for k, what in
                              [(1, "scale"), (2, "B"), (3, "mean"), (4, "var")])
    rank = len(ctx.shape(node.input[0]))
    per_channel = (-1,) + (1,) * (rank - 1)
    mul = gamma / np.sqrt(var + a.get("epsilon", 1e-5))
    add = beta - mean * mul
    m = ctx.new_const(f"{node.name}_mul", mul.reshape(per_channel))
    c = ctx.new_const(f"{node.name}_add", add.reshape(per_channel))
    scaled = ctx.temp(f"{node.name}_scaled")
    ctx.add("Mul", [node.input[0], m], [scaled], f"{node.name}_mul")
    ctx.add("Add", [scaled, c], [node.output[0]], f"{node.name}_add")
