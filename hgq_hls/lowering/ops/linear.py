"""Lowering of Dense and Conv: constant multiplications as shift-and-add trees."""

from __future__ import annotations

import numpy as np

from ..cse import eliminate_flat, search_ahead
from ..decompose import ColumnTree, column_tree, csd_weights
from ..digit_terms import VECTOR_LIMIT, dense_digit_terms, digit_terms
from ..geometry import window_geometry, window_taps
from ..netlist import adder_bits
from ..sum_plan import build_rows
from .base import lowering

#: Dense layers whose CSE counts at most this many digit pairs also try column trees
#: (outputs built from similar outputs, :mod:`..decompose`) with these depth limits, and keep
#: the form with the fewest adder bits (measured on random 8x8 ... 32x32 layers: 1-7% fewer
#: than the plain form).  Each candidate is a full lowering, hence the limit: over the 64
#: estimator designs and the benchmark models, no tree won above 41k pairs (a 32x32 layer),
#: and the plain form won at 174k (64x32) and 1.08M (64x256); random 64x64 matrices gained
#: nothing either.  (A 32x32 8-bit layer has ~126k pairs, a 64x64 4-bit one ~270k.)
TREE_MAX_PAIRS = 200_000
TREE_DEPTHS = (1, 2, 4)


#: among equally frequent pairs, the CSE takes the one with the smaller shift first (narrower
#: adders: measured 2% fewer adder bits on 32x32 layers)
TIE_BREAK = 1
#: Dense layers above TREE_MAX_PAIRS break ties by the smaller shift, then the largest key (the
#: newest signals first, tie rule 4).  Estimated LUTs against rule 1: 30,920 -> 30,568 on a
#: random 64x64 4-bit matrix, 57,266 -> 56,744 at 8 bits, 116,797 -> 116,130 and
#: 223,586 -> 223,052 at 128x128, 802,414 -> 796,802 for a 128-256-256-10 MLP.  Below the
#: limit, where the column trees are compared, rule 1 stays (the estimator designs' netlists).
#: (Comparing it with a second search by tie rule 2, as was done against rule 1 for layers up
#: to 1.2M pairs, gained nothing on the 64x64 matrices or the MLP and at most 0.1% elsewhere,
#: for one more search and lowering: dropped.)
LARGE_TIE_BREAK = 4


def dot_products(net, digits, weight_frac, biases=None, bias_frac=0, tree: ColumnTree | None = None,
                 tie_break: int = TIE_BREAK):
    """``sum(x * w) (+ bias)`` for every row of ``digits`` (:func:`..digit_terms.digit_terms`
    of rows of ``(operand, weight mantissa)`` pairs).

    Weights are CSD digits (shifted copies of their input); digit pairs shared by several
    rows are computed once (:mod:`.cse`, ties by ``tie_break``); each row is then a tree of
    adders.  With ``tree``,
    row ``k`` holds the weights of ``delta[:, k]`` and also adds ``sign[k]`` times the
    finished row ``parent[k]`` (built first: rows are summed in ``tree.order``).
    """
    signals, terms, offsets = digits
    signals = list(signals)              # a copy: forms share one layout, and sub-sums extend it
    definitions, terms, offsets = eliminate_flat(terms, offsets, len(signals), tie_break)
    steps = definitions.astype(np.int64)
    steps[:, 3] = steps[:, 3] < 0                # (a, b, d, s) -> add_all's (a, b, shift, subtract)
    net.add_all(signals, steps.tolist())
    n = len(offsets) - 1
    parents, parent_signs = [-1] * n, [0] * n
    final_biases = [int(b) for b in biases] if biases is not None else [0] * n
    if tree is not None:
        parents, parent_signs = [int(p) for p in tree.parent], [int(s) for s in tree.sign]
        if biases is not None:           # the parent's sum carries its own bias
            for k in range(n):
                if parents[k] >= 0:
                    final_biases[k] -= parent_signs[k] * int(biases[parents[k]])
    order = tree.order if tree is not None else range(n)
    return build_rows(net, signals, terms, offsets, weight_frac, list(order), parents, parent_signs,
                      final_biases, bias_frac)


@lowering("Dense")
def dense(net, node, ins, g):
    x, w = ins[0], ins[1]
    bias = ins[2] if len(ins) > 2 else None
    k, n = w.shape
    xs = x.reshape(-1, k).tolist()              # lists: numpy's element indexing is slow
    biases = [bias.m[j] for _ in xs for j in range(n)] if bias is not None else None
    bias_frac = bias.frac if bias is not None else 0
    best = None
    m = w.m.tolist()
    forms = list(_forms(m, len(xs)))
    plain = dense_digit_terms(xs, m, n)         # the rows of every form without a tree
    for tree, matrix, tie_break in forms:
        trial = net.fork()
        digits = plain if tree is None else dense_digit_terms(xs, matrix, n)
        out = dot_products(trial, digits, w.frac, biases, bias_frac, tree, tie_break)
        cost = _adder_cost(trial) if len(forms) > 1 else 0      # one form: nothing to compare
        if best is None or cost < best[0]:
            best = (cost, trial, out)
    net.adopt(best[1])
    return [np.array(best[2], dtype=object).reshape(x.shape[:-1] + (n,))]


class _Input:
    """Stands for an input port element when a layer's search starts before its netlist."""

    __slots__ = ("wire", "shift")

    def __init__(self, k: int):
        self.wire, self.shift = k, 0


def search_dense_ahead(g, node) -> None:
    """Start the CSE of a Dense node's plain form in the background (:func:`.cse.search_ahead`):
    its input port's elements are distinct wires, so its rows are known before lowering."""
    x, w = (g.tensors[t] for t in node.inputs[:2])
    matrix = np.asarray(w.value, dtype=object).tolist()
    k, n = w.shape
    if not k or x.value is not None:
        return
    copies = int(np.prod(x.shape, dtype=np.int64)) // k
    xs = [[_Input(r * k + i) for i in range(k)] for r in range(copies)]
    signals, terms, offsets = dense_digit_terms(xs, matrix, n)
    for tree, _, tie_break in _forms(matrix, copies):
        if tree is None:                 # the plain forms' rows are these
            search_ahead(terms, offsets, len(signals), tie_break)


def _forms(m: list, copies: int):
    """The ways of building ``x @ m`` a Dense layer compares: ``(tree, weights, tie_break)``
    with the plain form ``(None, m, rule)`` first (TIE_BREAK, or LARGE_TIE_BREAK above
    TREE_MAX_PAIRS), then the column trees of a small enough layer."""
    if len(m) == 0 or len(m[0]) < 2:
        yield None, m, TIE_BREAK
        return
    wm = np.array(m, dtype=object)
    if np.abs(wm).max() >= VECTOR_LIMIT:
        yield None, m, TIE_BREAK
        return
    wm = wm.astype(np.int64)
    digits = csd_weights(wm).sum(axis=0)
    pairs = copies * int((digits * (digits - 1) // 2).sum())
    if pairs > TREE_MAX_PAIRS:
        yield None, m, LARGE_TIE_BREAK
        return
    yield None, m, TIE_BREAK
    for depth in TREE_DEPTHS:
        tree = column_tree(wm, depth)
        if (tree.parent >= 0).any():
            yield _tiled(tree, copies), tree.delta.tolist(), TIE_BREAK


def _adder_cost(net) -> int:
    """Adder bits where both operands carry data (what a candidate's LUTs grow with)."""
    return sum(adder_bits(c)[0] for c in net.cells if c.kind in ("add", "sub"))


def _tiled(tree: ColumnTree, copies: int) -> ColumnTree:
    """``tree`` for ``copies`` input rows of a Dense layer (its rows are row-major)."""
    n = len(tree.parent)
    parent = np.concatenate([np.where(tree.parent >= 0, tree.parent + r * n, -1) for r in range(copies)])
    return ColumnTree(parent, np.tile(tree.sign, copies), tree.delta,
                      [j + r * n for r in range(copies) for j in tree.order])


@lowering("Conv")
def conv(net, node, ins, g):
    x, w = ins[0], ins[1]
    bias = ins[2] if len(ins) > 2 else None
    geo = window_geometry(x.shape, node.attrs, w.shape[2:])
    x2 = x.reshape(geo["c"], geo["h"], geo["w"])
    w2 = w.m.reshape(w.shape[0], w.shape[1], geo["kh"], geo["kw"])
    out_ch, per_group = w.shape[0], w.shape[1]
    per_out = out_ch // node.attrs["group"]
    rows, biases = [], []
    for o in range(out_ch):
        first = o // per_out * per_group
        for oh in range(geo["oh"]):
            for ow in range(geo["ow"]):
                rows.append([(x2[first + c, ih, iw], w2[o, c, kh, kw])
                             for c in range(per_group) for kh, kw, ih, iw in window_taps(geo, oh, ow)
                             if w2[o, c, kh, kw]])
                biases.append(bias.m[o] if bias is not None else 0)
    out = dot_products(net, digit_terms(rows), w.frac, biases if bias is not None else None,
                       bias.frac if bias is not None else 0)
    return [np.array(out, dtype=object).reshape(g.tensors[node.outputs[0]].shape)]


@lowering("MatMul")
def activation_matmul(net, node, ins, g):
    """Each output a sum of K products of signals: multipliers, then one adder tree per output."""
    a, b = ins
    k = a.shape[-1]
    out = np.empty(tuple(g.tensors[node.outputs[0]].shape), dtype=object)
    for idx in np.ndindex(*out.shape):
        lead, m, n = idx[:-2], idx[-2], idx[-1]
        out[idx] = net.sum([(1, net.multiply(a[lead + (m, j)], b[lead + (j, n)])) for j in range(k)])
    return [out]
