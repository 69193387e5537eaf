"""Gemm, MatMul, Conv: constant-weight layers."""

from __future__ import annotations

import numpy as np

from .registry import Unsupported, handles


def _typed(ctx, name) -> bool:
    t = ctx.graph.tensors.get(name)
    return t is not None and t.type is not None


@handles("Gemm")
def gemm(ctx, node):
    a = ctx.attrs(node)
    if a.get("transA", 0):
        raise Unsupported("transA=1 is not supported (the activation must be the left operand)")
    w = ctx.require_const(node, 1, "the weight B")
    alpha, beta = a.get("alpha", 1.0), a.get("beta", 1.0)
    w_name = node.input[1]
    if a.get("transB", 0) or alpha != 1.0:
        if _typed(ctx, w_name) and alpha != 1.0:
            raise Unsupported("alpha != 1 on a quantized weight would change its values")
        w = w.T if a.get("transB", 0) else w
        w_name = ctx.new_const(f"{node.name}_W", w * alpha if alpha != 1.0 else w, like=node.input[1])
    inputs = [node.input[0], w_name]
    if len(node.input) > 2 and node.input[2]:
        bias = ctx.require_const(node, 2, "the bias C")
        n_out = w.shape[1]
        if bias.size not in (1, n_out):
            raise Unsupported(f"bias C of shape {bias.shape} does not broadcast to ({n_out},)")
        if beta != 1.0 and _typed(ctx, node.input[2]):
            raise Unsupported("beta != 1 on a quantized bias would change its values")
        if bias.shape != (n_out,) or beta != 1.0:
            b_name = ctx.new_const(f"{node.name}_b", np.broadcast_to(bias.reshape(-1), (n_out,)) * beta,
                                   like=node.input[2])
            inputs.append(b_name)
        else:
            inputs.append(node.input[2])
    ctx.add("Dense", inputs, [node.output[0]], node.name)


@handles("MatMul")
def matmul(ctx, node):
    if ctx.const(node.input[0]) is not None:
        raise Unsupported("a constant left operand is not supported (use x @ W)")
    w = ctx.require_const(node, 1, "the right operand")
    if w.ndim != 2:
        raise Unsupported(f"the constant right operand must be 2-D, got shape {w.shape}")
    ctx.add("Dense", [node.input[0], node.input[1]], [node.output[0]], node.name)


@handles("Conv")
def conv(ctx, node):
    a = ctx.attrs(node)
    w = ctx.require_const(node, 1, "the weight W")
    n = w.ndim - 2
    if n not in (1, 2):
        raise Unsupported(f"{n}-D convolution is not supported (1-D and 2-D are)")
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET", b"VALID", "VALID"):
        raise Unsupported(f"auto_pad={a['auto_pad']!r} is not supported; export with explicit pads")
    inputs = [node.input[0], node.input[1]]
    if len(node.input) > 2 and node.input[2]:
        inputs.append(node.input[2])
    ctx.add("Conv", inputs, [node.output[0]], node.name,
            strides=tuple(a.get("strides", [1] * n)), pads=tuple(a.get("pads", [0] * 2 * n)),
            dilations=tuple(a.get("dilations", [1] * n)), group=int(a.get("group", 1)))
