"""``hh.auto_precision``: the widths with the best accuracy for a budget (or the cheapest for a target).

Costs come only from ``hh.estimate`` of the real fixed-point graph; scores are the SQNR (dB)
of the fixed-point outputs against the float model on the calibration data, or a user metric
(higher is better).  ``method="pareto"`` traces the calibration-based Pareto curve;
``method="first-order"`` ranks candidates by first-order sensitivity and solves an integer
program.  Both also report the uniform-precision baselines.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from ..errors import ArgumentError
from ..estimate import estimate
from ..ir import Graph
from ..progress import elapsed
from ..reference import predict
from . import pareto
from .first_order import sensitivities
from .groups import DEFAULT_MARGIN, calibrate, find_groups, typed_graph
from .ilp import InfeasibleError, choose
from .simulate import as_list, predict_partly_quantized, sqnr_db

COSTS = ("lut", "ff", "dsp", "ebops")
METHODS = ("pareto", "first-order")


@dataclass
class PrecisionReport:
    """What ``auto_precision`` chose and why: the curve, the uniform baselines, the timing."""

    method: str
    backend: str
    budget: dict | None
    target_score: float | None
    score_name: str
    chosen: dict[str, tuple[int, int]]
    cost: dict[str, float]
    score: float
    curve: list = field(default_factory=list)          # Points, widest first
    uniform: dict = field(default_factory=dict)        # bits -> Point
    seconds: dict = field(default_factory=dict)

    def best_uniform(self):
        """The uniform point with the best score that meets the budget (None if none does)."""
        fits = [p for p in self.uniform.values() if _meets(p.cost, self.budget)]
        return max(fits, key=lambda p: p.score, default=None)

    def table(self) -> str:
        """The choice, the uniform baselines and the timing as text."""
        key = next(iter(self.budget)) if self.budget else "lut"
        rows = [f"auto_precision ({self.method}, backend={self.backend}): {self.score_name} {self.score:.2f}, "
                f"{key} {self.cost[key]:g}" + (f" (budget {self.budget[key]:g})" if self.budget else "")]
        rows.append(f"{'group':<24} {'weight bits':>11} {'activation bits':>15}")
        for name, (w, a) in self.chosen.items():
            rows.append(f"{name:<24} {w:>11} {a:>15}")
        rows.append("uniform precision: " + ", ".join(
            f"{b} bits: {p.score:.2f} @ {p.cost[key]:g}" for b, p in sorted(self.uniform.items())))
        best = self.best_uniform()
        if best is not None:
            rows.append(f"best uniform within the budget: {best.label} ({self.score_name} {best.score:.2f})")
        rows.append("time: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items()))
        return "\n".join(rows)

    def to_json(self) -> str:
        """The report as JSON."""
        def point(p):
            return dict(asdict(p), config={k: list(v) for k, v in p.config.items()})
        return json.dumps(dict(method=self.method, backend=self.backend, budget=self.budget,
                               target_score=self.target_score, score_name=self.score_name,
                               chosen={k: list(v) for k, v in self.chosen.items()}, cost=self.cost,
                               score=self.score, curve=[point(p) for p in self.curve],
                               uniform={str(b): point(p) for b, p in self.uniform.items()},
                               seconds=self.seconds), indent=2, default=float)

    def plot(self, path) -> None:
        """Cost against score: the mixed-precision curve and the uniform points (matplotlib)."""
        from .plot import plot_curve

        plot_curve(self, path)


def _meets(cost: dict, budget: dict | None) -> bool:
    return budget is None or all(cost[k] <= v for k, v in budget.items())


def _check(budget, target_sqnr_db, method, bits):
    if method not in METHODS:
        raise ArgumentError("method", f"{method!r}: choose one of {METHODS}")
    if (budget is None) == (target_sqnr_db is None):
        raise ArgumentError("budget", "give exactly one of budget={'lut': N} (best score within it) "
                            "or target_sqnr_db= (cheapest design that reaches it)")
    if budget is not None:
        if not isinstance(budget, dict) or not budget or any(k not in COSTS for k in budget):
            raise ArgumentError("budget", f"keys must be among {COSTS}, got {budget!r}")
        if any(not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0 for v in budget.values()):
            raise ArgumentError("budget", f"values must be finite numbers >= 0, got {budget!r}")
    if target_sqnr_db is not None and (isinstance(target_sqnr_db, bool) or not isinstance(
            target_sqnr_db, (int, float)) or not np.isfinite(target_sqnr_db)):
        raise ArgumentError("target_sqnr_db", f"must be a finite number of dB, got {target_sqnr_db!r}")
    try:
        bits = sorted(set(int(b) for b in bits))
    except (TypeError, ValueError):
        raise ArgumentError("bits", f"must be integer widths, got {bits!r}") from None
    if not bits or bits[0] < 1 or bits[-1] > 32:
        raise ArgumentError("bits", f"must be widths from 1 to 32, got {bits}")
    return bits


def auto_precision(g_float: Graph, calib, bits=range(2, 9), budget: dict | None = None,
                   target_sqnr_db: float | None = None, method: str = "pareto", backend: str = "verilog",
                   metric=None, margin: float = DEFAULT_MARGIN, target: str = "xcvu9p",
                   progress: bool = False) -> tuple[Graph, PrecisionReport]:
    """Choose per-group widths for the float graph ``g_float`` from calibration samples ``calib``.

    Exactly one of ``budget`` (``{"lut": N}``, ``{"dsp": N}``, ``{"ebops": N}``, ``{"ff": N}``:
    the best score whose estimate fits) and ``target_sqnr_db`` (the cheapest design whose score
    reaches it; with ``metric``, the metric's value).  ``metric(outputs) -> float`` (higher is
    better) replaces the SQNR against the float outputs.  Returns the typed graph and a
    :class:`PrecisionReport`.
    """
    if g_float.is_typed:
        raise ArgumentError("g_float", "auto_precision starts from a float graph: load the model "
                            "without types")
    bits = _check(budget, target_sqnr_db, method, bits)
    calib = np.asarray(calib, dtype=np.float64)
    start = time.perf_counter()
    phase = lambda label: elapsed(f"precision: {label}", enabled=progress)  # noqa: E731
    with phase("calibration ranges"):
        ranges = calibrate(g_float, calib)
        reference = as_list(predict(g_float, calib))
    groups = find_groups(g_float)
    cands = pareto.candidates(bits)
    score = metric or (lambda outputs: sqnr_db(reference, as_list(outputs)))
    score_name = getattr(metric, "__name__", "metric") if metric else "SQNR dB"

    def evaluate(config, label=""):
        g = typed_graph(g_float, config, ranges, margin)
        r = estimate(g, backend=backend, target=target)
        cost = dict(lut=r.lut, ff=r.ff, dsp=r.dsp, ebops=r.ebops)
        return pareto.Point(config, cost, float(score(predict(g, calib))), label)

    with phase(f"uniform {bits[0]}-bit design (the cheapest candidate)"):
        cheapest = evaluate({grp.name: (bits[0], bits[0]) for grp in groups}, f"uniform {bits[0]} bits")
    if budget is not None and not _meets(cheapest.cost, budget):
        key = next(iter(budget))
        raise InfeasibleError(f"budget {key} <= {budget[key]:g} is impossible: the cheapest candidate "
                              f"(every group at {bits[0]} bits) needs {cheapest.cost[key]:g}; raise the "
                              "budget or allow fewer bits")
    with phase(f"uniform baselines ({len(bits)} widths)"):
        uniform = {b: cheapest if b == bits[0] else evaluate({grp.name: (b, b) for grp in groups},
                                                              f"uniform {b} bits") for b in bits}
    seconds = {"uniform baselines": time.perf_counter() - start}
    if method == "pareto":
        t = time.perf_counter()
        rows = pareto.phase1(g_float, groups, cands, ranges, margin,
                             lambda types: float(score(predict_partly_quantized(g_float, calib, types))),
                             progress)
        seconds["phase 1 (sensitivity)"] = time.perf_counter() - t
        t = time.perf_counter()
        curve = pareto.phase2(groups, cands, rows, evaluate, progress)
        seconds["phase 2 (curve)"] = time.perf_counter() - t
        best = _pick(curve, budget, target_sqnr_db, score_name)
    else:
        t = time.perf_counter()
        with phase("sensitivities (gradients)"):
            omega = sensitivities(g_float, calib, groups, cands, ranges, margin)
        seconds["sensitivity (gradients)"] = time.perf_counter() - t
        t = time.perf_counter()
        with phase("integer program"):
            best, curve = _solve_first_order(groups, cands, omega, evaluate, budget, target_sqnr_db, score_name,
                                             list(uniform.values()))
        seconds["integer program"] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - start
    report = PrecisionReport(method, backend, budget, target_sqnr_db, score_name, best.config, best.cost,
                             best.score, curve, uniform, seconds)
    return typed_graph(g_float, best.config, ranges, margin), report


def _pick(curve, budget, target_score, score_name):
    """The best point within the budget, or the cheapest reaching the target."""
    if budget is not None:
        fits = [p for p in curve if _meets(p.cost, budget)]
        if not fits:
            key = next(iter(budget))
            raise InfeasibleError(f"no configuration fits {key} <= {budget[key]:g}: the cheapest on the "
                                  f"curve needs {min(p.cost[key] for p in curve):g}; allow fewer bits")
        return max(fits, key=lambda p: (p.score, -sum(p.cost.values())))
    good = [p for p in curve if p.score >= target_score]
    if not good:
        raise InfeasibleError(f"no configuration reaches {score_name} {target_score:g}: the best on the "
                              f"curve gives {max(p.score for p in curve):.2f}; allow more bits")
    return min(good, key=lambda p: (p.cost["lut"], p.cost["dsp"], -p.score))


def _solve_first_order(groups, cands, omega, evaluate, budget, target_score, score_name, fallback):
    """ILP over (group, candidate) with per-group cost deltas measured by the estimator.

    Costs are nearly additive over groups; the chosen design is estimated for real and, if it
    overshoots, the budget the ILP sees is tightened by the overshoot (twice as hard each time)
    and it is solved again; ``fallback`` (the uniform designs) backs the choice up.
    """
    own = {grp.name: pareto.group_candidates(grp, cands) for grp in groups}
    widest = {name: c[0] for name, c in own.items()}
    base = evaluate(dict(widest), "widest")
    key = next(iter(budget)) if budget else "lut"
    # a candidate's cost change is the sum of its weight-width and activation-width changes,
    # each measured once (2 x |bits| estimates per group instead of |bits|^2)
    delta = {}
    for grp in groups:
        w0, a0 = widest[grp.name]
        step = {}
        for w, a in own[grp.name]:
            for part in ((w, a0), (w0, a)):
                if part not in step:
                    step[part] = 0.0 if part == (w0, a0) else \
                        evaluate({**widest, grp.name: part}).cost[key] - base.cost[key]
            delta[(grp.name, (w, a))] = step[(w, a0)] + step[(w0, a)]
    width = max(len(c) for c in own.values())
    penalty = np.full((len(groups), width), np.inf)
    cost = np.zeros((len(groups), width))
    for i, grp in enumerate(groups):
        for j, cand in enumerate(own[grp.name]):
            penalty[i, j], cost[i, j] = omega[(grp.name, cand)], delta[(grp.name, cand)]
    curve = [base]
    if budget is None:
        # the cheapest configuration reaching the target: walk budgets down the uniform range
        levels = sorted({base.cost[key] + c for c in np.linspace(cost.min(axis=1).sum(), 0, 12)})
        for level in levels:
            point = _ilp_point(groups, own, penalty, cost, base, key, level, evaluate)
            if point is not None:
                curve.append(point)
        return _pick(curve + fallback, None, target_score, score_name), curve
    limit, push = budget[key], 1.0
    for _ in range(10):
        point = _ilp_point(groups, own, penalty, cost, base, key, limit, evaluate)
        if point is None:
            break
        curve.append(point)
        if _meets(point.cost, budget):
            return point, curve
        limit -= push * (point.cost[key] - budget[key])        # tighten by the overshoot, harder each time
        push *= 2
    # the ILP's additive costs kept overshooting: the best measured design that fits
    return _pick(curve + fallback, budget, None, score_name), curve


def _ilp_point(groups, own, penalty, cost, base, key, limit, evaluate):
    try:
        picks = choose(penalty, {key: (cost, limit - base.cost[key])})
    except InfeasibleError:
        return None
    config = {grp.name: own[grp.name][j] for grp, j in zip(groups, picks)}
    return evaluate(config, f"ILP {key} <= {limit:g}")
