"""Data-movement kernels: Identity, Reshape, Transpose, Slice, Concat, Pad."""

from __future__ import annotations

import numpy as np

from ..exact import align, common_frac, pad_constant
from ...ir.ops.movement import take_slice
from .base import kernel


@kernel("Identity")
def identity(node, inputs, graph):
    return [inputs[0]]


@kernel("Reshape")
def reshape(node, inputs, graph):
    arr, frac = inputs[0]
    return [(arr.reshape((arr.shape[0],) + tuple(node.attrs["shape"])), frac)]


@kernel("Transpose")
def transpose(node, inputs, graph):
    arr, frac = inputs[0]
    return [(np.transpose(arr, (0,) + tuple(p + 1 for p in node.attrs["perm"])), frac)]


@kernel("Slice")
def slice_(node, inputs, graph):
    arr, frac = inputs[0]
    return [(take_slice(arr, node.attrs, first_axis=1), take_slice(frac, node.attrs, first_axis=1)
             if np.ndim(frac) == np.ndim(arr) else frac)]


@kernel("Concat")
def concat(node, inputs, graph):
    frac = common_frac(inputs)
    arrays = [align(v, frac) for v in inputs]
    if any(a.dtype == object for a in arrays):
        arrays = [a.astype(object) for a in arrays]
    # a constant input has no batch axis: the same values for every sample
    batch = next(a.shape[0] for a in arrays if a.ndim == max(b.ndim for b in arrays))
    arrays = [a if a.ndim == max(b.ndim for b in arrays) else np.broadcast_to(a, (batch,) + a.shape)
              for a in arrays]
    return [(np.concatenate(arrays, axis=node.attrs["axis"] + 1), frac)]


@kernel("Pad")
def pad(node, inputs, graph):
    frac = common_frac(inputs)
    arr, value = align(inputs[0], frac), align(inputs[1], frac)
    n = arr.ndim - 1
    pads = node.attrs["pads"]
    width = [(0, 0)] + [(pads[k], pads[k + n]) for k in range(n)]
    return [(pad_constant(arr, width, value.reshape(-1)[0]), frac)]
