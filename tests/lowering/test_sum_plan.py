"""The compiled sum planner builds the netlist Netlist.sum builds, cell for cell, and exact.

Oracles: the Python heap of :meth:`Netlist.sum` (the rule as documented, run row by row),
and the cell interpreter (``netlist_eval``) against Python's integer sums.
"""

from __future__ import annotations

import numpy as np
import pytest

from hgq_hls.fixed import FixedType
from hgq_hls.lowering import sum_plan
from hgq_hls.lowering.netlist import Netlist

from .netlist_eval import evaluate


def _case(seed: int, wide: bool = False):
    """Random rows over 6 input signals (mixed grids and signs), some rows with a parent row,
    a bias, a single negative term or nothing at all."""
    rng = np.random.default_rng(seed)
    types = [FixedType(bool(rng.integers(2)), int(rng.integers(2, 10)), int(rng.integers(-2, 6))) for _ in range(6)]
    if wide:
        types[0] = FixedType(True, 60, 10)         # beyond the planner's 53 bits
    n_rows = 12
    rows, parents, signs, biases = [], [], [], []
    for r in range(n_rows):
        k = int(rng.integers(0, 9)) if r != 3 else 1
        rows.append([(int(rng.choice([-1, 1])) if r != 3 else -1, int(rng.integers(6)), int(rng.integers(-3, 5)))
                     for _ in range(k)])
        parents.append(int(rng.integers(r)) if r and rng.random() < 0.4 else -1)
        signs.append(int(rng.choice([-1, 1])) if parents[-1] >= 0 else 0)
        biases.append(int(rng.integers(-40, 40)) if rng.random() < 0.5 else 0)
    rows[5], parents[5], biases[5] = [], -1, 0          # an empty row: the constant 0
    return types, rows, parents, signs, biases


def _build(types, rows, parents, signs, biases, use_planner: bool):
    net = Netlist("t")
    xs = [net.input(f"in{k}", 1, t)[0] for k, t in enumerate(types)]
    offsets = np.cumsum([0] + [len(r) for r in rows])
    terms = np.array([t for r in rows for t in r], dtype=np.int32).reshape(-1, 3)
    out = sum_plan.build_rows(net, xs, terms, offsets, 2, list(range(len(rows))), parents, signs, biases, 3,
                              use_planner=use_planner)
    net.output("out0", out, FixedType(True, 90, 40))
    return net, out


def _signature(net):
    return [(c.kind, c.out.name, c.out.fmt, tuple((a.wire.name, a.shift) for a in c.args)) for c in net.cells]


@pytest.mark.parametrize("seed", range(8))
def test_planned_sums_are_the_cells_of_netlist_sum(seed):
    case = _case(seed)
    planned, _ = _build(*case, use_planner=True)
    reference, _ = _build(*case, use_planner=False)
    assert _signature(planned) == _signature(reference)


@pytest.mark.parametrize("seed", range(4))
def test_planned_sums_are_exact(seed):
    types, rows, parents, signs, biases = case = _case(seed)
    net, _ = _build(*case, use_planner=True)
    rng = np.random.default_rng(100 + seed)
    x = [int(rng.integers(t.min_mantissa, t.max_mantissa + 1)) for t in types]
    got = [m * 2.0 ** -f for m, f in evaluate(net, {f"in{k}": [v] for k, v in enumerate(x)})["out0"]]
    want = []
    for r, row in enumerate(rows):          # weights on the grid 2**-2, biases on 2**-3
        value = sum(s * x[sid] * 2.0 ** (-types[sid].frac + shift - 2) for s, sid, shift in row)
        value += signs[r] * want[parents[r]] if parents[r] >= 0 else 0
        want.append(value + biases[r] / 8)
    np.testing.assert_array_equal(got, want)


def test_values_beyond_53_bits_fall_back_to_netlist_sum(monkeypatch):
    case = _case(0, wide=True)
    calls = []
    monkeypatch.setattr(sum_plan._sums, "plan", lambda *a: calls.append(a) or None)
    planned, _ = _build(*case, use_planner=True)
    assert not calls                        # declined before the core is asked
    assert _signature(planned) == _signature(_build(*case, use_planner=False)[0])
