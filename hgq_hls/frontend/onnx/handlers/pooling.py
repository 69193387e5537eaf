"""MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, and ReduceMean/ReduceSum/ReduceMax over
trailing axes (as global pooling)."""

from __future__ import annotations

import numpy as np

from ....ir.ops.linear import conv_output_shape
from .base import Unsupported, handles, sample_axis
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


def _reduced_axes(ctx, node) -> list[int] | None:
    """The per-sample axes a Reduce* node reduces (sorted), or None when it reduces nothing
    (empty axes with ``noop_with_empty_axes=1``)."""
    a = ctx.attrs(node)
    axes = a.get("axes")
    if axes is None and len(node.input) > 1 and node.input[1]:
        axes = [int(v) for v in ctx.require_const(node, 1, "axes")]
    rank = len(ctx.shape(node.input[0])) + 1
    if not axes:
        if a.get("noop_with_empty_axes", 0):
            return None
        raise Unsupported("reducing every axis (no axes given) reduces the batch axis too")
    per_sample = sorted({sample_axis(int(d), rank) for d in axes})
    if per_sample[-1] >= rank - 1:
        raise Unsupported(f"axes {list(axes)} out of range for a rank-{rank} input")
    return per_sample


def trailing_reduction(ctx, x: str, first: int, out: str, name: str, kind: str, keep: bool = True) -> None:
    """``out`` = the mean, sum or max (``kind``) of each sample of ``x`` over its per-sample
    axes from ``first`` on: a global pooling of a (rows, n) view between two Reshapes.  A mean
    is the exact sum times 1/n (the scale constant of AveragePool, typed like theirs), a sum
    the same with scale 1, a maximum a MaxPool over the whole row."""
    shape = tuple(ctx.shape(x))
    rows, n = int(np.prod(shape[:first], dtype=np.int64)), int(np.prod(shape[first:], dtype=np.int64))
    out_shape = shape[:first] + ((1,) * (len(shape) - first) if keep else ())
    view, pooled = ctx.temp(f"{name}_rows"), ctx.temp(f"{name}_pooled")
    ctx.add("Reshape", [x], [view], f"{name}_rows", shape=(rows, n))
    window = dict(kernel_shape=(n,), strides=(1,), pads=(0, 0), dilations=(1,))
    if kind == "max":
        ctx.add("MaxPool", [view], [pooled], name, **window)
    else:
        scale = ctx.new_const(f"{name}_scale", np.array(1.0 / n if kind == "mean" else 1.0))
        ctx.add("AveragePool", [view, scale], [pooled], name, **window)
    ctx.add("Reshape", [pooled], [out], f"{name}_shape", shape=out_shape)


@handles("ReduceMean", "ReduceMax", "ReduceSum")
def reduce(ctx, node):
    """A reduction over the trailing axes of a sample, as a global pooling (:func:`trailing_reduction`)."""
    shape = tuple(ctx.shape(node.input[0]))
    axes = _reduced_axes(ctx, node)
    if axes is None:
        ctx.add("Reshape", [node.input[0]], [node.output[0]], node.name, shape=shape)
        return
    first = axes[0]
    if axes != list(range(first, len(shape))):
        raise Unsupported(f"reducing the per-sample axes {axes} of shape {shape}: only trailing axes "
                          "(a global pooling) are supported")
    kind = {"ReduceMean": "mean", "ReduceSum": "sum", "ReduceMax": "max"}[node.op_type]
    trailing_reduction(ctx, node.input[0], first, node.output[0], node.name, kind,
                       keep=bool(ctx.attrs(node).get("keepdims", 1)))
