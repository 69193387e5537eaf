"""Checking firmware against the reference: test stimulus and a mismatch report.

Used by every backend's ``verify``: the same inputs go through the firmware (C-simulation or
RTL simulation) and through ``hh.predict``, and every output value must be equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .lowering.ports import entry_type
from .ir import Graph


def stimulus(g: Graph, n: int, seed: int = 0) -> list[np.ndarray]:
    """Random inputs (one array per graph input, batch first) that probe every corner.

    Each value is, at random, uniform over the input type's range widened by a quarter on
    both sides (so it overflows), exactly on the type's grid, or exactly half-way between
    two grid points (a rounding tie).
    """
    rng = np.random.default_rng(seed)
    xs = []
    for name in g.inputs:
        t = entry_type(g, name)
        shape = (n,) + tuple(g.tensors[name].shape)
        if t.width == 0:
            xs.append(rng.normal(0.0, 1.0, shape))
            continue
        lo, hi, lsb = t.min, t.max, t.lsb
        span = hi - lo + lsb
        wide = rng.uniform(lo - span / 4, hi + span / 4, shape)
        if t.width <= 52:
            grid = rng.integers(t.min_mantissa, t.max_mantissa, shape, endpoint=True) * lsb
        else:                                # beyond int64/float64: on the grid as float allows
            grid = np.floor(rng.uniform(lo, hi, shape) / lsb) * lsb
        ties = grid + lsb / 2
        kind = rng.integers(0, 3, shape)
        xs.append(np.where(kind == 0, wide, np.where(kind == 1, grid, ties)))
    return xs


@dataclass
class OutputCheck:
    """How one output compared: counts and the first differing value."""

    name: str
    n_values: int
    n_mismatch: int
    first: tuple | None = None   # (sample, flat index, firmware value, reference value)

    def __str__(self) -> str:
        if not self.n_mismatch:
            return f"{self.name}: {self.n_values} values, all equal"
        s, i, got, want = self.first
        return (f"{self.name}: {self.n_mismatch} of {self.n_values} values differ; first at "
                f"sample {s}, index {i}: firmware {got!r}, reference {want!r}")


@dataclass
class VerifyReport:
    """The result of comparing firmware outputs with ``hh.predict`` on ``n_samples`` inputs."""

    n_samples: int
    outputs: list[OutputCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every output value is equal."""
        return all(o.n_mismatch == 0 for o in self.outputs)

    def __str__(self) -> str:
        verdict = "bit-exact" if self.ok else "MISMATCH"
        lines = [f"{verdict} on {self.n_samples} samples"]
        lines += [f"  {o}" for o in self.outputs]
        return "\n".join(lines)


def compare(names, got: list[np.ndarray], expected: list[np.ndarray]) -> VerifyReport:
    """Compare firmware outputs with reference outputs, output by output, value by value."""
    report = VerifyReport(n_samples=len(expected[0]) if expected else 0)
    for name, a, b in zip(names, got, expected):
        a = np.asarray(a).reshape(len(a), -1)
        b = np.asarray(b).reshape(len(b), -1)
        differ = a != b
        check = OutputCheck(name, int(b.size), int(differ.sum()))
        if check.n_mismatch:
            s, i = np.argwhere(differ)[0]
            check.first = (int(s), int(i), float(a[s, i]), float(b[s, i]))
        report.outputs.append(check)
    return report
