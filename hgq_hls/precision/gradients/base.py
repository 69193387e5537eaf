"""The gradient registry and the adjoints several rules share."""

from __future__ import annotations

import numpy as np

from ...registry import registrar

#: op -> fn(node, input values, output values, output gradients) -> input gradients (None: no path)
VJP = {}


vjp = registrar(VJP, "the vector-Jacobian product")


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` down to ``shape`` (undo numpy broadcasting, batch axis included)."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def window_adjoint(gcols: np.ndarray, x_shape: tuple, node, fill_shape=None) -> np.ndarray:
    """Scatter window gradients (B, C, *out, *kernel) back onto the input (B, C, *spatial)."""
    a = node.attrs
    n = len(x_shape) - 2
    kernel = gcols.shape[2 + n:]
    pads, strides, dil = a["pads"], a["strides"], a["dilations"]
    padded = np.zeros(x_shape[:2] + tuple(x_shape[2 + d] + pads[d] + pads[d + n] for d in range(n)))
    out = gcols.shape[2:2 + n]
    for offset in np.ndindex(*kernel):
        index = (slice(None), slice(None)) + tuple(
            slice(offset[d] * dil[d], offset[d] * dil[d] + strides[d] * (out[d] - 1) + 1, strides[d])
            for d in range(n))
        padded[index] += gcols[(Ellipsis,) + offset]
    inside = (slice(None), slice(None)) + tuple(slice(pads[d], pads[d] + x_shape[2 + d]) for d in range(n))
    return padded[inside]
