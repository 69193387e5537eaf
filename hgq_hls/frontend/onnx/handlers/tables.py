"""Sigmoid and Tanh (a Lookup with the default table types), Softmax (two tables),
LayerNormalization (exact means and square around an inverse-square-root table) and Elu/Selu
(an exact positive branch beside a table of the negative one)."""

from __future__ import annotations

import numpy as np

from ....ir.ops.tables import softmax_table_types
from .base import Unsupported, add_lookup, handles, sample_axis
from .elementwise import per_sample_const
from .pooling import trailing_reduction


@handles("Sigmoid", "Tanh")
def table_activation(ctx, node):
    # exact_function: the table types are this importer's choice, not the model's, so a
    # quantizer of few levels after it may be fused with the function itself (thresholds)
    add_lookup(ctx, node.op_type.lower(), node.input[0], node.output[0], node.name, exact_function=True)


#: ONNX's Selu defaults (float32 values of the constants of Klambauer et al.)
SELU_ALPHA, SELU_GAMMA = 1.67326319217681884765625, 1.05070102214813232421875


@handles("Elu", "Selu")
def elu(ctx, node):
    """``gamma * (x if x > 0 else alpha * (exp(x) - 1))`` as ``gamma * relu(x) + gamma * alpha *
    T(relu(-x))``: the positive branch exact, the negative one a Lookup ``<node>_exp`` of
    ``exp(-t) - 1`` over ``t >= 0`` (its default input type saturates at t = 16, where the
    branch is -1 to 7 digits), so no table entry is spent on positive inputs."""
    a = ctx.attrs(node)
    selu = node.op_type == "Selu"
    alpha = float(a.get("alpha", SELU_ALPHA if selu else 1.0))
    gamma = float(a.get("gamma", SELU_GAMMA)) if selu else 1.0
    x, name = node.input[0], node.name
    positive, negated, t, branch, negative = (ctx.temp(f"{name}_{k}") for k in ("pos", "neg", "t", "exp", "scaled"))
    ctx.add("Relu", [x], [positive], f"{name}_pos")
    if gamma != 1.0:
        scaled_positive = ctx.temp(f"{name}_pos_scaled")
        ctx.add("Mul", [positive, ctx.new_const(f"{name}_gamma", np.array(gamma))], [scaled_positive],
                f"{name}_pos_scale")
        positive = scaled_positive
    ctx.add("Neg", [x], [negated], f"{name}_negate")
    ctx.add("Relu", [negated], [t], f"{name}_t")
    add_lookup(ctx, "expm1_neg", t, branch, f"{name}_exp")
    ctx.add("Mul", [branch, ctx.new_const(f"{name}_alpha", np.array(alpha * gamma))], [negative],
            f"{name}_neg_scale")
    ctx.add("Add", [positive, negative], [node.output[0]], name)


@handles("Sqrt")
def sqrt(ctx, node):
    """A Lookup of the square root; a Div by its result becomes a product with an
    inverse-square-root table instead (``elementwise.divide_by_sqrt``)."""
    add_lookup(ctx, "sqrt", node.input[0], node.output[0], node.name)


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


@handles("LayerNormalization")
def layer_norm(ctx, node):
    """``y = (x - mean) * rsqrt(var + eps) * scale + B`` over the per-sample axes from ``axis`` on.

    The mean and the variance are exact sums times 1/n; ``x - mean`` and its square are exact
    ops (or cast to ``default_type`` like any layer's output); ``1/sqrt(var + eps)`` is a
    Lookup named ``<node>_rsqrt`` whose types default to ``DEFAULT_TABLE_TYPES["rsqrt"]`` and
    follow ``precision={"<node>_rsqrt": {"table_in": ..., "table_out": ...}}``.
    """
    a = ctx.attrs(node)
    if len(node.output) > 1 and any(node.output[1:]):
        raise Unsupported("the Mean and InvStdDev outputs (training) are not supported")
    if a.get("stash_type", 1) != 1:
        raise Unsupported(f"stash_type={a['stash_type']}: only float32 statistics (1) are defined here")
    x, name = node.input[0], node.name
    shape = tuple(ctx.shape(x))
    first = sample_axis(a.get("axis", -1), len(shape) + 1)
    eps = float(a.get("epsilon", 1e-5))
    scale = ctx.require_const(node, 1, "the scale")
    bias = ctx.require_const(node, 2, "the bias") if len(node.input) > 2 and node.input[2] else None
    mean, centred, square, var, inv = (ctx.temp(f"{name}_{k}") for k in ("mean", "centred", "square", "var", "inv"))
    trailing_reduction(ctx, x, first, mean, f"{name}_mean", "mean")
    ctx.add("Sub", [x, mean], [centred], f"{name}_centre")
    ctx.add("Mul", [centred, centred], [square], f"{name}_square")
    trailing_reduction(ctx, square, first, var, f"{name}_var", "mean")
    add_lookup(ctx, "rsqrt", var, inv, f"{name}_rsqrt", offset=eps)
    steps = [("Mul", inv, "normalize")]
    if not np.all(scale == 1):
        steps.append(("Mul", per_sample_const(ctx, node.input[1], len(shape)), "scale"))
    if bias is not None and np.any(bias != 0):
        steps.append(("Add", per_sample_const(ctx, node.input[2], len(shape)), "shift"))
    h = centred
    for k, (op, operand, what) in enumerate(steps):
        last = k == len(steps) - 1
        out = node.output[0] if last else ctx.temp(f"{name}_{what}")
        ctx.add(op, [h, operand], [out], name if last else f"{name}_{what}")
        h = out
