"""Lowering of Lookup and Softmax: casts into the table's input type, then ROMs."""

from __future__ import annotations

import numpy as np

from .base import balanced_tree, elementwise, lowering


@lowering("Lookup")
def lookup(net, node, ins, g):
    a = node.attrs
    return [elementwise(lambda v: net.lookup(v, a["in_type"], a["out_type"], a["table"]), ins[0])]


@lowering("Softmax")
def softmax(net, node, ins, g):
    a, x = node.attrs, ins[0]
    axis = a["axis"] % x.ndim
    exp_table, inv_table = a["tables"]
    moved = np.moveaxis(x, axis, -1)
    out = np.empty(moved.shape, dtype=object)
    for idx in np.ndindex(*moved.shape[:-1]):
        row = list(moved[idx])
        top = balanced_tree(row, lambda p, q: net.extreme(p, q, "max"))
        e = [net.lookup(net.add(top, v, subtract=True), a["exp_in"], a["exp_out"], exp_table) for v in row]
        inv = net.lookup(net.sum([(1, v) for v in e]), a["inv_in"], a["inv_out"], inv_table)
        for j, v in enumerate(e):
            out[idx + (j,)] = net.multiply(v, inv)
    return [np.moveaxis(out, -1, axis)]
