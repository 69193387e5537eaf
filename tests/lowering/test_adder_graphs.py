"""Constant-matrix adder graphs: column trees, sum trees, and the Dense lowering built on them.

Oracles: the matrix identity ``W = delta + sign * W[:, parent]`` checked column by column, a
recursion for the fewest signed powers of two written here, numpy's integer matrix product,
and a cell-by-cell interpreter of the netlist (``netlist_eval``) that also checks every wire
stays inside its declared range.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from hgq_hls.fixed import FixedType
from hgq_hls.lowering import ops
from hgq_hls.lowering.decompose import column_tree, csd_weights
from hgq_hls.lowering.netlist import Netlist, Operand
from hgq_hls.lowering.ops import linear
from hgq_hls.lowering.ops.base import Const

from .netlist_eval import evaluate


@functools.lru_cache(maxsize=None)
def _fewest_signed_powers(k: int) -> int:
    """Fewest terms +-2**i summing to k: an even k is k/2 shifted, an odd one needs a term."""
    if k <= 1:
        return k
    if k % 2 == 0:
        return _fewest_signed_powers(k // 2)
    return 1 + min(_fewest_signed_powers((k - 1) // 2), _fewest_signed_powers((k + 1) // 2))


def test_csd_weights_are_the_fewest_signed_digits():
    values = np.arange(-3000, 3001)
    np.testing.assert_array_equal(csd_weights(values), [_fewest_signed_powers(abs(int(v))) for v in values])


@pytest.mark.parametrize("depth", [1, 2, 4])
@pytest.mark.parametrize("seed", range(4))
def test_column_tree_rebuilds_the_matrix(depth, seed):
    rng = np.random.default_rng(seed)
    w = rng.integers(-8, 8, (12, 10))
    w[:, 3] = w[:, 1] * 1 + (rng.random(12) < 0.2)         # near-copies: worth a tree edge
    w[:, 7] = -w[:, 1]
    tree = column_tree(w, depth)
    assert sorted(tree.order) == list(range(10))
    position = {j: k for k, j in enumerate(tree.order)}
    levels = {}
    for j in tree.order:
        p = tree.parent[j]
        rebuilt = tree.delta[:, j] + (tree.sign[j] * w[:, p] if p >= 0 else 0)
        np.testing.assert_array_equal(rebuilt, w[:, j])
        if p >= 0:
            assert position[p] < position[j]
        levels[j] = 0 if p < 0 else levels[p] + 1
        assert levels[j] <= depth
    assert tree.parent[7] >= 0                              # -c_1 costs one adder from c_1


def test_sums_keep_the_depth_of_a_balanced_tree():
    net = Netlist("t")
    xs = net.input("in0", 13, FixedType(True, 8, 8))
    rng = np.random.default_rng(1)
    terms = [(int(s), Operand(x.wire, int(d))) for x, s, d in zip(xs, rng.choice([-1, 1], 13), rng.integers(0, 6, 13))]
    root = net.sum(terms)
    depth = {x.wire.name: 0 for x in xs}
    for c in net.cells:
        if c.kind in ("add", "sub"):
            depth[c.out.name] = 1 + max(depth.get(a.wire.name, 0) for a in c.args)
    assert depth[root.wire.name] <= math.ceil(math.log2(13)) + 1     # + a final negation at most
    net.output("out0", [root], FixedType(True, 24, 24))
    x = rng.integers(-128, 128, 13)
    (m, f), = evaluate(net, {"in0": list(x)})["out0"]
    assert m * 2 ** -f == sum(s * int(v) * 2 ** int(o.shift) for (s, o), v in zip(terms, x))


@pytest.mark.parametrize("depths", [(), (1,), (2,), (4,), "large tie rule"])
@pytest.mark.parametrize("seed", range(3))
def test_dense_lowering_is_exact_for_every_candidate(depths, seed, monkeypatch):
    # each candidate form forced in turn (trees of each depth, only the plain form, or the
    # plain form with the tie rule of a layer above the tree limit)
    if depths == "large tie rule":
        monkeypatch.setattr(linear, "TREE_MAX_PAIRS", 0)
    else:
        monkeypatch.setattr(linear, "TREE_DEPTHS", depths)
    rng = np.random.default_rng(seed)
    k, n, rows = 9, 7, 2
    w = rng.integers(-16, 16, (k, n))
    w[:, 4] = w[:, 2] + 1
    bias = rng.integers(-64, 64, n)
    net = Netlist("dense")
    xs = net.input("in0", rows * k, FixedType(True, 8, 4))
    x = np.empty(rows * k, dtype=object)
    x[:] = xs
    out = ops.LOWER["Dense"](net, None, [x.reshape(rows, k), Const(w.astype(object), 3),
                                         Const(bias.astype(object), 5)], None)[0]
    net.output("out0", list(out.reshape(-1)), FixedType(True, 40, 30))
    values = rng.integers(-128, 128, rows * k)
    got = [m * 2.0 ** -f for m, f in evaluate(net, {"in0": list(values)})["out0"]]
    want = (values.reshape(rows, k) / 16) @ (w / 8) + bias / 32
    np.testing.assert_array_equal(np.array(got).reshape(rows, n), want)


def test_layers_above_the_tree_limit_search_with_the_large_tie_rule(monkeypatch):
    # above TREE_MAX_PAIRS one form: the plain one with LARGE_TIE_BREAK (rule 4); below it,
    # rule 1 and the column trees
    m = [[3, 5, 7], [7, 1, 6], [5, 3, 3]]
    monkeypatch.setattr(linear, "TREE_MAX_PAIRS", 0)
    assert [(tree, rule) for tree, _, rule in linear._forms(m, 1)] == [(None, 4)]
    monkeypatch.setattr(linear, "TREE_MAX_PAIRS", 10 ** 9)
    forms = list(linear._forms(m, 1))
    assert forms[0][0] is None and forms[0][2] == 1
    assert all(rule == 1 for _, _, rule in forms)
