"""Vector-Jacobian products of Dense, Conv and MatMul."""

from __future__ import annotations

import numpy as np

from ...reference.kernels.linear import windows
from .base import vjp, window_adjoint


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
    grads = [window_adjoint(gcols, x.shape, node), gw]
    if len(ins) > 2:
        grads.append(gy.sum(axis=(0,) + tuple(range(2, 2 + n))).reshape(np.shape(ins[2])))
    return grads


@vjp("MatMul")
def activation_matmul(node, ins, outs, up):
    a, b = ins
    return [up[0] @ np.swapaxes(b, -1, -2), np.swapaxes(a, -1, -2) @ up[0]]
