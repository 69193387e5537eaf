"""Choose one candidate per group: minimum total penalty under resource budgets (an ILP).

The form of HAWQ-V3 and Chauhan et al.: binary ``x[g, c]`` (group ``g`` takes candidate
``c``), ``sum_c x[g, c] = 1`` for every group, ``sum cost_r[g, c] * x[g, c] <= limit_r`` for
every resource ``r``, minimize ``sum penalty[g, c] * x[g, c]``.  Solved exactly by
``scipy.optimize.milp`` (HiGHS).  A candidate with an infinite penalty is not allowed.
"""

from __future__ import annotations

import numpy as np


class InfeasibleError(ValueError):
    """No choice meets every budget."""


def choose(penalty, budgets: dict[str, tuple]) -> list[int]:
    """The candidate index of each group (rows of ``penalty``) minimizing the total penalty.

    ``budgets``: ``{resource: (cost matrix shaped like penalty, limit)}``.
    Raises :class:`InfeasibleError` (naming the resources) when nothing fits.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    penalty = np.asarray(penalty, dtype=np.float64)
    n_groups, n_cand = penalty.shape
    allowed = np.isfinite(penalty).reshape(-1)
    objective = np.where(allowed, penalty.reshape(-1), 0.0)
    one_each = np.kron(np.eye(n_groups), np.ones(n_cand))
    constraints = [LinearConstraint(one_each, 1, 1)]
    for cost, limit in budgets.values():
        cost = np.asarray(cost, dtype=np.float64).reshape(1, -1)
        constraints.append(LinearConstraint(cost, -np.inf, float(limit)))
    result = milp(objective, constraints=constraints, integrality=np.ones(objective.size),
                  bounds=Bounds(np.zeros(objective.size), allowed.astype(float)))
    if result.status != 0 or result.x is None:
        cheapest = {name: float(np.min(np.where(np.isfinite(penalty), np.asarray(cost, float), np.inf),
                                       axis=1).sum()) for name, (cost, _) in budgets.items()}
        raise InfeasibleError(
            "no choice fits the budget(s): " + ", ".join(
                f"{name} <= {limit} (the cheapest choice needs {cheapest[name]:g})"
                for name, (_, limit) in budgets.items()))
    return [int(k) for k in np.round(result.x).reshape(n_groups, n_cand).argmax(axis=1)]
