"""First-order sensitivities (Chauhan et al. 2023, with HAWQ-V3's integer program).

Without labels the loss is the distance to the float model's own output, whose gradient at
the float weights is zero; its curvature is the Gauss-Newton matrix ``JᵀJ`` of the outputs.
The sensitivity of rounding a group to a candidate is then, with the diagonal of ``JᵀJ``
(empirical Fisher, estimated with random-sign probes over samples and outputs, Hutchinson
style, one reverse pass each):

    Ω(weights, b)     = Σ_w  F_w · (Q_b(w) - w)²
    Ω(activation, b)  = Σ_x Σ_a  F_a(x) · (Q_b(a(x)) - a(x))²

and the integer program picks one candidate per group minimising ``Σ Ω`` under the budget.
"""

from __future__ import annotations

import numpy as np

from ..fixed import quantize
from ..reference import predict
from .gradients import gradients
from .groups import Group, group_types
from .simulate import as_list

PROBES = 16


def fisher(g, calib, groups: list[Group], seed: int = 0) -> dict[str, np.ndarray]:
    """Diagonal Gauss-Newton estimates for every group's weights and output activation."""
    rng = np.random.default_rng(seed)
    outputs = as_list(predict(g, calib))
    wanted = {grp.output for grp in groups} | {grp.weight for grp in groups if grp.is_layer}
    total: dict[str, np.ndarray] = {}
    for _ in range(PROBES):
        signs = [rng.choice([-1.0, 1.0], size=y.shape) for y in outputs]
        grads = gradients(g, calib, signs if len(signs) > 1 else signs[0])
        for name in wanted:
            if name in grads:
                total[name] = total.get(name, 0) + np.square(grads[name])
    return {name: value / PROBES for name, value in total.items()}


def sensitivities(g, calib, groups: list[Group], cands, ranges, margin) -> dict:
    """``{(group name, candidate): Ω}`` for every group and candidate."""
    f = fisher(g, calib, groups)
    trace = predict(g, calib, trace=True)
    out = {}
    cache = {}
    for grp in groups:
        for cand in cands:
            types = group_types(g, grp, cand, ranges, margin)
            key_a = (grp.output, types["output"])
            if key_a not in cache:
                a = trace[grp.output]
                cache[key_a] = float(np.sum(f.get(grp.output, 0) * np.square(quantize(a, types["output"]) - a)))
            omega = cache[key_a]
            if grp.is_layer:
                key_w = (grp.weight, types["weight"])
                if key_w not in cache:
                    w = np.asarray(g.tensors[grp.weight].value, dtype=np.float64)
                    cache[key_w] = float(np.sum(f.get(grp.weight, 0) * np.square(quantize(w, types["weight"]) - w)))
                omega += cache[key_w]
            out[(grp.name, cand)] = omega
    return out
