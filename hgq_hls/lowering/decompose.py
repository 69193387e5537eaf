"""Column decomposition of a constant matrix: outputs built from similar outputs.

For ``y = x @ W``, an output column ``c_j`` close to another ``c_p`` (few CSD digits in
``c_j - c_p`` or ``c_j + c_p``) is cheaper as ``y_j = x @ (c_j -/+ c_p) +/- y_p``: one adder
for ``y_p`` plus the digits of the difference, instead of the digits of ``c_j``.  Which column
each output starts from is a spanning tree over the columns and a zero root (starting from
the root = no decomposition), grown by Prim's algorithm on those costs, with a depth limit
(each level lengthens the longest path by an adder).  The idea is da4ml's first stage (Sun et
al., arXiv:2507.04535); here a tree is one candidate the lowering costs against the plain form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def csd_weights(m: np.ndarray) -> np.ndarray:
    """Non-zero CSD digits of every integer in ``m`` (int64): the bits where ``x >> 1`` and
    ``x + (x >> 1)`` differ, for ``x = |m|``."""
    x = np.abs(np.asarray(m, dtype=np.int64))
    c = (x >> 1) ^ (x + (x >> 1))
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(c).astype(np.int64)
    bits = np.unpackbits(c.astype("<u8").view(np.uint8).reshape(c.shape + (8,)), axis=-1)
    return bits.sum(axis=-1).astype(np.int64)


@dataclass
class ColumnTree:
    """``W[:, j] = delta[:, j] + sign[j] * W[:, parent[j]]`` (``parent[j] = -1``: the root,
    ``delta[:, j] = W[:, j]``); ``order`` lists every column after its parent."""

    parent: np.ndarray
    sign: np.ndarray
    delta: np.ndarray
    order: list


def column_tree(w: np.ndarray, max_depth: int) -> ColumnTree:
    """The tree Prim's algorithm grows for the integer matrix ``w`` (inputs x outputs).

    Cost of starting column j at the root: its digits minus one (the adders of its own sum);
    at column p: the digits of ``c_j -/+ c_p`` (the same count, plus the adder for ``y_p``).
    Ties go to the root, then to the earliest column.
    """
    w = np.asarray(w, dtype=np.int64)
    n = w.shape[1]
    best = csd_weights(w).sum(axis=0) - 1           # from the root
    via = np.full(n, -1)
    sign = np.zeros(n, dtype=np.int64)
    depth = np.zeros(n, dtype=np.int64)
    done = np.zeros(n, dtype=bool)
    order = []
    for _ in range(n):
        j = int(np.argmin(np.where(done, np.iinfo(np.int64).max, best)))
        done[j] = True
        order.append(j)
        depth[j] = 0 if via[j] < 0 else depth[via[j]] + 1
        if depth[j] >= max_depth:
            continue
        minus = csd_weights(w - w[:, j:j + 1]).sum(axis=0)
        plus = csd_weights(w + w[:, j:j + 1]).sum(axis=0)
        cost = np.minimum(minus, plus)
        better = ~done & (cost < best)
        best = np.where(better, cost, best)
        via = np.where(better, j, via)
        sign = np.where(better, np.where(minus <= plus, 1, -1), sign)
    delta = w.copy()
    for j in range(n):
        if via[j] >= 0:
            delta[:, j] = w[:, j] - sign[j] * w[:, via[j]]
    return ColumnTree(via, sign, delta, order)
