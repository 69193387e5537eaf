"""Dense and Conv kernels: exact multiply-accumulate (BLAS float64 only where proven exact)."""

from __future__ import annotations

import operator

import numpy as np

from ..exact import align, as_plan, from_plan, matmul, matmul_plan, pad_constant, sum_terms
from ...ir.ops.linear import conv_output_shape
from .base import kernel


def _add_bias(acc, acc_frac, inputs, bias_shape=None):
    if len(inputs) < 3:
        return acc, acc_frac
    b, fb = inputs[2]
    frac = None if acc_frac is None else max(acc_frac, fb)
    acc = align((acc, acc_frac), frac) if frac is not None else acc
    bias = align((b, fb), frac) if frac is not None else b
    if bias_shape is not None:
        bias = bias.reshape(bias_shape)
    return sum_terms(acc, bias, operator.add), frac


def _frac(a, b):
    return None if a[1] is None else a[1] + b[1]


@kernel("Dense")
def dense(node, inputs, graph):
    x, w = inputs[0], inputs[1]
    acc = matmul(x[0], w[0])
    return [_add_bias(acc, _frac(x, w), inputs)]


def windows(x: np.ndarray, kernel_shape, strides, pads, dilations, fill) -> np.ndarray:
    """Sliding windows of (B, C, *spatial): shape (B, C, *out, *kernel), ONNX conv geometry."""
    n = len(kernel_shape)
    width = [(0, 0), (0, 0)] + [(pads[d], pads[d + n]) for d in range(n)]
    if any(pads):
        x = pad_constant(x, width, fill)
    span = [dilations[d] * (kernel_shape[d] - 1) + 1 for d in range(n)]
    view = np.lib.stride_tricks.sliding_window_view(x, span, axis=tuple(range(2, 2 + n)))
    index = (slice(None), slice(None))
    index += tuple(slice(None, None, s) for s in strides)
    index += tuple(slice(None, None, d) for d in dilations)
    return view[index]


@kernel("Conv")
def conv(node, inputs, graph):
    (x, fx), (w, fw) = inputs[0], inputs[1]
    a = node.attrs
    n = w.ndim - 2
    # choose the exact arithmetic once, before the windows multiply the data by the kernel size
    ints = fx is not None
    plan = matmul_plan(x, w, int(np.prod(w.shape[1:])))
    x, w = as_plan(x, plan), as_plan(w, plan)
    groups, out_ch, per_group = a["group"], w.shape[0], w.shape[1]
    out_per_group = out_ch // groups
    k = per_group * int(np.prod(w.shape[2:]))
    weights = [w[g * out_per_group:(g + 1) * out_per_group].reshape(out_per_group, k).T for g in range(groups)]
    # -> (B, *out, Cg, *kernel) -> (B * prod(out), k): the im2col matrix of a group
    order = (0,) + tuple(range(2, 2 + n)) + (1,) + tuple(range(2 + n, 2 + 2 * n))
    chunks = []
    for x_chunk in _batch_chunks(x, k, w.shape[2:], a):
        cols = windows(x_chunk, w.shape[2:], a["strides"], a["pads"], a["dilations"], 0)
        out_spatial = cols.shape[2:2 + n]
        results = [from_plan(np.transpose(cols[:, g * per_group:(g + 1) * per_group], order).reshape(-1, k)
                             @ weights[g], plan, ints) for g in range(groups)]
        acc = np.concatenate(results, axis=1) if groups > 1 else results[0]
        chunks.append(np.moveaxis(acc.reshape((len(x_chunk),) + out_spatial + (out_ch,)), -1, 1))
    acc = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
    frac = None if fx is None else fx + fw
    return [_add_bias(acc, frac, inputs, bias_shape=(out_ch,) + (1,) * n)]


#: im2col elements per batch chunk: a few MB, so the matrix is written and read while in cache
#: (one 1,000-sample im2col of a CNV-style layer is ~0.5 GB; chunked, the reference runs ~2x faster)
_IM2COL_CHUNK = 1 << 20


def _batch_chunks(x: np.ndarray, k: int, kernel, attrs) -> list[np.ndarray]:
    """``x`` split along the batch so each chunk's im2col matrix holds about ``_IM2COL_CHUNK`` elements."""
    spatial = conv_output_shape(x.shape[2:], kernel, attrs["strides"], attrs["pads"], attrs["dilations"])
    per_sample = max(int(np.prod(spatial, dtype=np.int64)) * k, 1)
    step = max(_IM2COL_CHUNK // per_sample, 1)
    return [x[i:i + step] for i in range(0, len(x), step)] if len(x) > step else [x]


@kernel("MatMul")
def activation_matmul(node, inputs, graph):
    (a, fa), (b, fb) = inputs
    plan = matmul_plan(a, b, a.shape[-1])
    acc = from_plan(as_plan(a, plan) @ as_plan(b, plan), plan, fa is not None)
    return [(acc, None if fa is None else fa + fb)]
