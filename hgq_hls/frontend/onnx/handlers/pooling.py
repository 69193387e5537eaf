"""MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool."""

from __future__ import annotations

import numpy as np

from ....ir.ops.linear import conv_output_shape
from .base import Unsupported, handles
from ..window_attrs import window


def _window(ctx, node, global_pool: bool):
    spatial = ctx.shape(node.input[0])[1:]
    n = len(spatial)
    if n not in (1, 2):
        raise Unsupported(f"{n}-D pooling is not supported (1-D and 2-D are)")
    if global_pool:
        return dict(kernel_shape=tuple(spatial), strides=(1,) * n, pads=(0,) * 2 * n,
                    dilations=(1,) * n)
    a = ctx.attrs(node)
    if a.get("ceil_mode", 0):
        raise Unsupported("ceil_mode=1 is not supported")
    geometry = window(a, spatial, None)
    if any(p >= k for p, k in zip(geometry["pads"], geometry["kernel_shape"] * 2)):
        raise Unsupported(f"pads={list(geometry['pads'])} must be smaller than the kernel "
                          f"{list(geometry['kernel_shape'])} (a window of padding only has no value)")
    return geometry


@handles("MaxPool", "GlobalMaxPool")
def max_pool(ctx, node):
    if len(node.output) > 1 and node.output[1]:
        raise Unsupported("the Indices output of MaxPool is not supported")
    ctx.add("MaxPool", [node.input[0]], [node.output[0]], node.name,
            **_window(ctx, node, node.op_type == "GlobalMaxPool"))


def _divisors(spatial, window, count_include_pad: bool) -> np.ndarray:
    """How many input elements each output position averages (ONNX count_include_pad)."""
    n = len(spatial)
    kernel, strides, pads = window["kernel_shape"], window["strides"], window["pads"]
    out = conv_output_shape(spatial, kernel, strides, pads, window["dilations"])
    if count_include_pad:
        return np.full(out, float(np.prod(kernel)))
    counts = []
    for d in range(n):
        start = np.arange(out[d]) * strides[d] - pads[d]
        end = np.minimum(start + kernel[d], spatial[d])
        counts.append(end - np.maximum(start, 0))
    return np.prod(np.meshgrid(*counts, indexing="ij"), axis=0).astype(np.float64)


@handles("AveragePool", "GlobalAveragePool")
def average_pool(ctx, node):
    window = _window(ctx, node, node.op_type == "GlobalAveragePool")
    include = bool(ctx.attrs(node).get("count_include_pad", 0))
    divisors = _divisors(ctx.shape(node.input[0])[1:], window, include)
    if np.all(divisors == divisors.flat[0]):
        divisors = np.array(divisors.flat[0])
    scale = ctx.new_const(f"{node.name}_scale", 1.0 / divisors)
    ctx.add("AveragePool", [node.input[0], scale], [node.output[0]], node.name, **window)
