"""The width-choice integer program against brute-force enumeration (the oracle)."""

import itertools

import numpy as np
import pytest

from hgq_hls.precision import InfeasibleError, choose


def brute_force(penalty, budgets):
    best, best_choice = np.inf, None
    n_groups, n_cand = penalty.shape
    for choice in itertools.product(range(n_cand), repeat=n_groups):
        rows = np.arange(n_groups), np.array(choice)
        if not np.isfinite(penalty[rows]).all():
            continue
        if all(cost[rows].sum() <= limit for cost, limit in budgets.values()):
            total = penalty[rows].sum()
            if total < best - 1e-12:
                best, best_choice = total, list(choice)
    return best, best_choice


@pytest.mark.parametrize("seed", range(40))
def test_milp_finds_the_brute_force_optimum(seed):
    rng = np.random.default_rng(seed)
    n_groups, n_cand = int(rng.integers(2, 6)), int(rng.integers(2, 5))
    # cheaper candidates are noisier, as lower bit widths are
    cost = np.sort(rng.integers(1, 50, (n_groups, n_cand)), axis=1)[:, ::-1].astype(float)
    penalty = np.sort(rng.random((n_groups, n_cand)), axis=1)
    if seed % 5 == 0:
        penalty[0, 0] = np.inf                                   # a candidate that is not allowed
    budgets = {"lut": (cost, float(np.quantile(cost.sum(axis=0), rng.random())) + 1)}
    if seed % 2:
        dsp = rng.integers(0, 4, (n_groups, n_cand)).astype(float)
        budgets["dsp"] = (dsp, float(dsp.min(axis=1).sum() + rng.integers(0, 4)))
    best, expected = brute_force(penalty, budgets)
    if expected is None:
        with pytest.raises(InfeasibleError):
            choose(penalty, budgets)
        return
    got = choose(penalty, budgets)
    rows = np.arange(n_groups), np.array(got)
    assert penalty[rows].sum() == pytest.approx(best)
    for cost_matrix, limit in budgets.values():
        assert cost_matrix[rows].sum() <= limit + 1e-9


def test_infeasible_budget_names_the_resource():
    cost = np.array([[10.0, 5.0], [8.0, 4.0]])
    with pytest.raises(InfeasibleError, match=r"lut <= 3 \(the cheapest choice needs 9\)"):
        choose(np.zeros((2, 2)), {"lut": (cost, 3)})
