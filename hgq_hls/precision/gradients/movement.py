"""Vector-Jacobian products of data movement (the adjoint permutation, split or crop)."""

from __future__ import annotations

import numpy as np

from ...ir.ops.movement import slice_indices
from .base import vjp


@vjp("Identity")
def identity(node, ins, outs, up):
    return [up[0]] + [None] * (len(ins) - 1)


@vjp("Reshape")
def reshape(node, ins, outs, up):
    return [up[0].reshape(np.shape(ins[0]))]


@vjp("Transpose")
def transpose(node, ins, outs, up):
    perm = [0] + [p + 1 for p in node.attrs["perm"]]
    return [np.transpose(up[0], np.argsort(perm))]


@vjp("Slice")
def slice_(node, ins, outs, up):
    # each kept input position receives its output's gradient, the others none
    grad = np.zeros(np.shape(ins[0]), dtype=np.result_type(up[0], np.float64))
    index = np.ix_(np.arange(np.shape(ins[0])[0]), *slice_indices(node.attrs))
    grad[index] = up[0]
    return [grad]


@vjp("Concat")
def concat(node, ins, outs, up):
    axis = node.attrs["axis"] + 1
    ends = np.cumsum([np.shape(v)[axis] for v in ins])
    return np.split(up[0], ends[:-1], axis=axis)


@vjp("Pad")
def pad(node, ins, outs, up):
    x = ins[0]
    pads = node.attrs["pads"]
    n = np.ndim(x) - 1
    inside = (slice(None),) + tuple(slice(pads[d], pads[d] + np.shape(x)[d + 1]) for d in range(n))
    g_inside = up[0][inside]
    # the fill value appears in every padded position
    g_fill = np.full(np.shape(ins[1]), up[0].sum() - g_inside.sum())
    return [g_inside, g_fill]
