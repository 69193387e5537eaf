"""Calibration-based Pareto search (Pandey et al. 2023, AIMET's automatic mixed precision).

Phase 1: for every group and candidate ``(weight bits, activation bits)``, quantize only that
group (the rest in float) and score the network's output on the calibration data.
Phase 2: starting from every group at the widest candidate, apply the candidates in order of
decreasing score (the least harmful first), each lowering its group's widths; every step is a
point (cost by ``hh.estimate``, score of the real fixed-point graph), which traces the curve.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..progress import counter
from .groups import Group, group_types


@dataclass
class Point:
    """One configuration: its widths per group, its estimated cost and its score."""

    config: dict[str, tuple[int, int]]
    cost: dict[str, float]
    score: float
    label: str = ""
    extra: dict = field(default_factory=dict)


def candidates(bits) -> list[tuple[int, int]]:
    """Every ``(weight bits, activation bits)`` pair, widest first."""
    bits = sorted(set(int(b) for b in bits), reverse=True)
    return sorted(((w, a) for w in bits for a in bits), key=lambda c: (-(c[0] + c[1]), -c[0]))


def phase1(g, groups: list[Group], cands, ranges, margin, score_partial, progress=False) -> list[tuple]:
    """``[(group name, candidate, score)]`` with only that group quantized."""
    rows = []
    with counter(sum(len(group_candidates(grp, cands)) for grp in groups), "sensitivity", "config",
                 enabled=progress) as bar:
        for grp in groups:
            for cand in group_candidates(grp, cands):
                types = group_types(g, grp, cand, ranges, margin)
                quantized = {grp.output: types["output"]}
                if grp.is_layer:
                    quantized[grp.weight] = types["weight"]
                    if grp.bias is not None:
                        quantized[grp.bias] = types["bias"]
                rows.append((grp.name, cand, score_partial(quantized)))
                bar.update(1)
    return rows


def group_candidates(grp: Group, cands) -> list[tuple[int, int]]:
    """The candidates that differ for this group (an input has no weights)."""
    if grp.is_layer:
        return list(cands)
    return sorted({(max(c[0] for c in cands), a) for _, a in cands}, key=lambda c: -c[1])


def phase2(groups: list[Group], cands, sensitivity: list[tuple], evaluate, progress=False) -> list[Point]:
    """The Pareto curve: cumulative flips, least harmful first; ``evaluate(config) -> Point``."""
    widest = {grp.name: group_candidates(grp, cands)[0] for grp in groups}
    order = sorted(sensitivity, key=lambda r: (-r[2], r[1][0] + r[1][1]))
    config = dict(widest)
    points = [evaluate(dict(config), "widest")]
    steps = [(name, cand) for name, cand, _ in order]
    with counter(len(steps), "pareto curve", "step", enabled=progress) as bar:
        for name, cand in steps:
            bar.update(1)
            now = config[name]
            if cand == now or cand[0] > now[0] or cand[1] > now[1]:
                continue                                 # only ever lower a group's widths
            config[name] = cand
            points.append(evaluate(dict(config), f"{name} -> w{cand[0]}a{cand[1]}"))
    return points
