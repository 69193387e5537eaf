"""Reverse-mode gradients of a float graph: one vector-Jacobian product per op, in a registry.

``gradients(g, x, grad_output)`` runs the untyped graph ``g`` forward in float64 (the same
kernels as ``hh.predict``), then walks the nodes backwards and returns the gradient of
``sum(grad_output * output)`` with respect to every tensor: activations (batch first) and
constants (weights, biases; summed over the batch).  First-order mixed-precision sensitivity
(Chauhan et al. 2023) needs exactly this; the tests check every rule against finite
differences.
"""

from __future__ import annotations

import numpy as np

from ..errors import Problem, UnsupportedModelError
from ..ir import Graph
from ..reference.executor import run
from ..reference.kernels.linear import windows
from ..registry import registrar

#: op -> fn(node, input values, output values, output gradients) -> input gradients (None: no path)
VJP = {}


vjp = registrar(VJP, "the vector-Jacobian product")


def _unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` down to ``shape`` (undo numpy broadcasting, batch axis included)."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def gradients(g: Graph, x, grad_output) -> dict[str, np.ndarray]:
    """d(sum(grad_output * y))/d(tensor) for every tensor of the float graph ``g``.

    ``grad_output``: one array (or a list, one per graph output) shaped like the outputs.
    Activation gradients keep the batch axis; constant gradients are summed over it.
    """
    if any(t.type is not None for t in g.tensors.values()):
        raise ValueError("gradients() runs float graphs: load the model without types")
    missing = [Problem(n.name, n.op, "no gradient rule") for n in g.nodes.values() if n.op not in VJP]
    if missing:
        raise UnsupportedModelError(missing)
    values = {name: arr for name, (arr, _) in run(g, x).items()}
    outs = grad_output if isinstance(grad_output, (list, tuple)) else [grad_output]
    grads: dict[str, np.ndarray] = {}
    for name, grad in zip(g.outputs, outs):
        grads[name] = np.asarray(grad, dtype=np.float64)
    for node in reversed(g.topological()):
        upstream = [grads.get(t) for t in node.outputs]
        if all(u is None for u in upstream):
            continue
        upstream = [np.zeros_like(values[t]) if u is None else u for t, u in zip(node.outputs, upstream)]
        ins = [values[t] for t in node.inputs]
        result = VJP[node.op](node, ins, [values[t] for t in node.outputs], upstream)
        for t, grad in zip(node.inputs, result):
            if grad is None:
                continue
            target = np.shape(values[t])
            grad = _unbroadcast(np.asarray(grad, dtype=np.float64), target)
            grads[t] = grads[t] + grad if t in grads else grad
    return grads


# ---- linear layers ------------------------------------------------------------------------
@vjp("Dense")
def dense(node, ins, outs, up):
    x, w = ins[0], ins[1]
    gy = up[0]
    k = w.shape[0]
    gx = gy @ w.T
    gw = x.reshape(-1, k).T @ gy.reshape(-1, w.shape[1])
    grads = [gx, gw]
    if len(ins) > 2:
        grads.append(gy.reshape(-1, w.shape[1]).sum(axis=0).reshape(np.shape(ins[2])))
    return grads


def _window_adjoint(gcols: np.ndarray, x_shape: tuple, node, fill_shape=None) -> np.ndarray:
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


@vjp("Conv")
def conv(node, ins, outs, up):
    x, w = ins[0], ins[1]
    gy = up[0]                                               # (B, O, *out)
    a = node.attrs
    n = w.ndim - 2
    cols = windows(x, w.shape[2:], a["strides"], a["pads"], a["dilations"], 0)   # (B, C, *out, *k)
    groups, out_ch, per_group = a["group"], w.shape[0], w.shape[1]
    out_per_group = out_ch // groups
    gw = np.zeros_like(w)
    gcols = np.zeros(cols.shape)
    spatial = "".join("pqrs"[:n])
    kern = "klmn"[:n]
    for k in range(groups):
        o = slice(k * out_per_group, (k + 1) * out_per_group)
        c = slice(k * per_group, (k + 1) * per_group)
        gw[o] = np.einsum(f"bc{spatial}{kern},bo{spatial}->oc{kern}", cols[:, c], gy[:, o])
        gcols[:, c] = np.einsum(f"bo{spatial},oc{kern}->bc{spatial}{kern}", gy[:, o], w[o])
    grads = [_window_adjoint(gcols, x.shape, node), gw]
    if len(ins) > 2:
        grads.append(gy.sum(axis=(0,) + tuple(range(2, 2 + n))).reshape(np.shape(ins[2])))
    return grads


# ---- elementwise --------------------------------------------------------------------------
@vjp("Add")
def add(node, ins, outs, up):
    return [up[0], up[0]]


@vjp("Sub")
def sub(node, ins, outs, up):
    return [up[0], -up[0]]


@vjp("Mul")
def mul(node, ins, outs, up):
    a, b = ins
    return [up[0] * b, up[0] * a]


@vjp("Relu")
def relu(node, ins, outs, up):
    return [up[0] * (ins[0] > 0)]


@vjp("PRelu")
def prelu(node, ins, outs, up):
    x, slope = ins
    negative = x < 0
    return [up[0] * np.where(negative, slope, 1.0), up[0] * x * negative]


@vjp("Clip")
def clip(node, ins, outs, up):
    x = ins[0]
    passes = np.ones(np.shape(x), dtype=bool)
    grads = [None] * len(ins)
    rest = iter(range(1, len(ins)))
    has_lo, has_hi = node.attrs["bounds"]
    for present, side in ((has_lo, "lo"), (has_hi, "hi")):
        if present:
            k = next(rest)
            bound = ins[k]
            hit = (x < bound) if side == "lo" else (x > bound)
            passes &= ~hit
            grads[k] = up[0] * hit
    grads[0] = up[0] * passes
    return grads


@vjp("Lookup")
def lookup(node, ins, outs, up):
    y = outs[0]
    func = node.attrs["func"]
    if func == "sigmoid":
        return [up[0] * y * (1 - y)]
    if func == "tanh":
        return [up[0] * (1 - y * y)]
    if func == "exp_neg":
        return [-up[0] * y]
    if func == "reciprocal":
        return [-up[0] * y * y]
    raise UnsupportedModelError([Problem(node.name, node.op, f"no gradient rule for table {func!r}")])


@vjp("Softmax")
def softmax(node, ins, outs, up):
    y = outs[0]
    axis = node.attrs["axis"] + 1
    return [y * (up[0] - (up[0] * y).sum(axis=axis, keepdims=True))]


# ---- pooling ------------------------------------------------------------------------------
@vjp("MaxPool")
def max_pool(node, ins, outs, up):
    x = ins[0]
    a = node.attrs
    n = len(a["kernel_shape"])
    cols = windows(x, a["kernel_shape"], a["strides"], a["pads"], a["dilations"], -np.inf)
    flat = cols.reshape(cols.shape[:2 + n] + (-1,))
    first = flat.argmax(axis=-1)                               # ties: the first maximum
    mask = np.zeros(flat.shape)
    np.put_along_axis(mask, first[..., None], 1.0, axis=-1)
    gcols = (mask * up[0][..., None]).reshape(cols.shape)
    return [_window_adjoint(gcols, x.shape, node)]


@vjp("AveragePool")
def average_pool(node, ins, outs, up):
    x, scale = ins
    a = node.attrs
    n = len(a["kernel_shape"])
    cols = windows(x, a["kernel_shape"], a["strides"], a["pads"], a["dilations"], 0)
    total = cols.sum(axis=tuple(range(2 + n, 2 + 2 * n)))
    g_total = up[0] * scale
    gcols = np.broadcast_to(g_total[(Ellipsis,) + (None,) * n], cols.shape)
    return [_window_adjoint(gcols, x.shape, node), up[0] * total]


# ---- data movement ------------------------------------------------------------------------
@vjp("Identity", "Quantize")
def identity(node, ins, outs, up):
    return [up[0]] + [None] * (len(ins) - 1)


@vjp("Reshape")
def reshape(node, ins, outs, up):
    return [up[0].reshape(np.shape(ins[0]))]


@vjp("Transpose")
def transpose(node, ins, outs, up):
    perm = [0] + [p + 1 for p in node.attrs["perm"]]
    return [np.transpose(up[0], np.argsort(perm))]


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

