"""Gemm, MatMul, Conv: constant-weight layers."""

from __future__ import annotations

import numpy as np

from .base import Unsupported, handles
from ..window_attrs import window


def _typed(ctx, name) -> bool:
    t = ctx.graph.tensors.get(name)
    return t is not None and t.type is not None


def _check_dense(ctx, x: str, w) -> None:
    features = ctx.shape(x)[-1] if ctx.shape(x) else None
    if features != w.shape[0]:
        raise Unsupported(f"the input has {features} features (shape {ctx.shape(x)} per sample) "
                          f"but the weight of shape {w.shape} expects {w.shape[0]}")


@handles("Gemm")
def gemm(ctx, node):
    a = ctx.attrs(node)
    if a.get("transA", 0):
        raise Unsupported("transA=1 is not supported (the activation must be the left operand)")
    w = ctx.require_const(node, 1, "the weight B")
    if w.ndim != 2:
        raise Unsupported(f"the weight B must be 2-D, got shape {w.shape}")
    if len(ctx.shape(node.input[0])) != 1:
        raise Unsupported(f"Gemm takes 2-D inputs (batch, features); the input is "
                          f"{ctx.shape(node.input[0])} per sample")
    _check_dense(ctx, node.input[0], w.T if a.get("transB", 0) else w)
    alpha, beta = a.get("alpha", 1.0), a.get("beta", 1.0)
    w_name = node.input[1]
    if a.get("transB", 0) or alpha != 1.0:
        if _typed(ctx, w_name) and alpha != 1.0:
            raise Unsupported("alpha != 1 on a quantized weight would change its values")
        w = w.T if a.get("transB", 0) else w
        w_name = ctx.new_const(f"{node.name}_W", w * alpha if alpha != 1.0 else w, like=node.input[1])
    inputs = [node.input[0], w_name]
    if len(node.input) > 2 and node.input[2] and ctx.const(node.input[2]) is None:
        # C is an activation (torch's addmm of a computed tensor): the product, then an Add
        if beta != 1.0:
            raise Unsupported(f"beta={beta} on an activation C is not supported (only beta=1)")
        product = ctx.temp(f"{node.name}_product")
        ctx.add("Dense", inputs, [product], f"{node.name}_product")
        ctx.add("Add", [product, node.input[2]], [node.output[0]], node.name)
        return
    if len(node.input) > 2 and node.input[2]:
        bias = ctx.require_const(node, 2, "the bias C")
        n_out = w.shape[1]
        if bias.size not in (1, n_out):
            raise Unsupported(f"bias C of shape {bias.shape} does not broadcast to ({n_out},)")
        if beta != 1.0 and _typed(ctx, node.input[2]):
            raise Unsupported("beta != 1 on a quantized bias would change its values")
        if bias.shape != (n_out,) or beta != 1.0:
            # a typed bias holds mantissas: only rearranged (beta == 1 here), never scaled
            flat = np.broadcast_to(bias.reshape(-1), (n_out,)).copy()
            b_name = ctx.new_const(f"{node.name}_b", flat * beta if beta != 1.0 else flat,
                                   like=node.input[2])
            inputs.append(b_name)
        else:
            inputs.append(node.input[2])
    ctx.add("Dense", inputs, [node.output[0]], node.name)


def _activation_matmul(ctx, node) -> None:
    """``a @ b`` of two activations: per sample, (..., M, K) @ (..., K, N) with equal leading axes."""
    a, b = (tuple(ctx.shape(i)) for i in node.input[:2])
    if len(a) < 2 or len(b) < 2:
        # an ONNX operand of rank <= 2 is a matrix whose first axis is the batch: its product
        # would mix samples
        raise Unsupported(f"per-sample shapes {a} @ {b}: both activations need a matrix per sample "
                          "(ONNX rank >= 3), else the product mixes samples")
    if a[-1] != b[-2]:
        raise Unsupported(f"per-sample shapes {a} @ {b}: inner dimensions {a[-1]} and {b[-2]} differ")
    if a[:-2] != b[:-2]:
        raise Unsupported(f"per-sample shapes {a} @ {b}: the leading axes must be equal (no broadcasting)")
    ctx.add("MatMul", [node.input[0], node.input[1]], [node.output[0]], node.name)


@handles("MatMul")
def matmul(ctx, node):
    if ctx.const(node.input[0]) is not None:
        raise Unsupported("a constant left operand is not supported (use x @ W)")
    if ctx.const(node.input[1]) is None:
        _activation_matmul(ctx, node)
        return
    w = ctx.require_const(node, 1, "the right operand")
    if w.ndim != 2:
        raise Unsupported(f"the constant right operand must be 2-D, got shape {w.shape}")
    _check_dense(ctx, node.input[0], w)
    ctx.add("Dense", [node.input[0], node.input[1]], [node.output[0]], node.name)


@handles("Conv")
def conv(ctx, node):
    a = ctx.attrs(node)
    w = ctx.require_const(node, 1, "the weight W")
    n = w.ndim - 2
    if n not in (1, 2):
        raise Unsupported(f"{n}-D convolution is not supported (1-D and 2-D are)")
    x_shape = ctx.shape(node.input[0])
    if len(x_shape) != n + 1:
        raise Unsupported(f"the input of shape {x_shape} (per sample) is not (channels, *{n} spatial) "
                          f"as the {n}-D weight {w.shape} needs")
    group = a.get("group", 1)
    if not isinstance(group, int) or group < 1:
        raise Unsupported(f"group={group!r} must be a positive integer")
    out_ch, per_group = w.shape[0], w.shape[1]
    if out_ch % group or x_shape[0] != per_group * group:
        raise Unsupported(f"the weight {w.shape} with group={group} needs {per_group * group} input "
                          f"channels and a multiple of {group} output channels; the input has "
                          f"{x_shape[0]} channels")
    geometry = window(a, x_shape[1:], w.shape[2:])
    inputs = [node.input[0], node.input[1]]
    if len(node.input) > 2 and node.input[2]:
        bias = ctx.require_const(node, 2, "the bias B")
        if bias.shape != (out_ch,):
            raise Unsupported(f"the bias of shape {bias.shape} does not match the {out_ch} output channels")
        inputs.append(node.input[2])
    ctx.add("Conv", inputs, [node.output[0]], node.name, strides=geometry["strides"],
            pads=geometry["pads"], dilations=geometry["dilations"], group=group)
