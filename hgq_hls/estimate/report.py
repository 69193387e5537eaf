"""The estimate of a design: totals, one row per node, and ways to print, save and plot it."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field

RESOURCES = ("lut", "ff", "dsp", "bram")


@dataclass
class NodeEstimate:
    """Resources and latency of one IR node (node ``"(top)"``: the top module's own logic)."""

    node: str
    op: str
    lut: float = 0.0
    ff: int = 0
    dsp: int = 0
    bram: float = 0.0            # 36 Kb blocks (a BRAM18 counts 0.5)
    latency_cycles: int = 0      # cycles this node adds on its path
    ebops: int = 0
    detail: dict = field(default_factory=dict)   # the cost-model inputs (bit counts per feature)


@dataclass
class Report:
    """What ``hh.estimate`` returns.

    Totals: ``lut``, ``ff``, ``dsp``, ``bram``, ``latency_cycles``, ``ii``, ``ebops``;
    per node: ``nodes``.  ``describes`` says what the numbers model (e.g. the yosys version the
    Verilog coefficients were fitted to, or that HLS figures are modelled).
    """

    backend: str
    target: str
    describes: str
    nodes: list[NodeEstimate]
    latency_cycles: int
    ii: int
    device: dict = field(default_factory=dict)
    clock_ns: float | None = None
    reuse_factor: int = 1
    io: str = "parallel"

    def total(self, what: str) -> float:
        """Sum of one resource over the rows."""
        return sum(getattr(n, what) for n in self.nodes)

    @property
    def lut(self) -> int:
        """LUTs (rounded)."""
        return int(round(self.total("lut")))

    @property
    def ff(self) -> int:
        """Flip-flops."""
        return int(self.total("ff"))

    @property
    def dsp(self) -> int:
        """DSP slices."""
        return int(self.total("dsp"))

    @property
    def bram(self) -> float:
        """36 Kb block RAMs."""
        return self.total("bram")

    @property
    def ebops(self) -> int:
        """EBOPs as HGQ defines them."""
        return int(self.total("ebops"))

    @property
    def latency_ns(self) -> float | None:
        """Latency in ns at the clock the estimate assumed (None when no clock was given)."""
        return None if self.clock_ns is None else self.latency_cycles * self.clock_ns

    def utilization(self) -> dict[str, float]:
        """Share of the device each resource takes (0..1)."""
        return {k: getattr(self, k) / self.device[k] for k in RESOURCES if self.device.get(k)}

    def table(self) -> str:
        """Per-node rows and totals as text."""
        head = f"{'node':<28} {'op':<12} {'LUT':>8} {'FF':>7} {'DSP':>5} {'BRAM':>5} {'cycles':>6} {'EBOPs':>9}"
        mode = f", io={self.io}" if self.io != "parallel" else ""
        rows = [f"hgq_hls estimate, backend={self.backend}{mode}, target={self.target}", f"({self.describes})", head,
                "-" * len(head)]
        for n in self.nodes:
            rows.append(f"{n.node[:28]:<28} {n.op[:12]:<12} {round(n.lut):>8} {n.ff:>7} {n.dsp:>5} "
                        f"{_bram(n.bram):>5} {n.latency_cycles:>6} {n.ebops:>9}")
        rows.append("-" * len(head))
        rows.append(f"{'total':<28} {'':<12} {self.lut:>8} {self.ff:>7} {self.dsp:>5} {_bram(self.bram):>5} "
                    f"{self.latency_cycles:>6} {self.ebops:>9}")
        share = self.utilization()
        if share:
            rows.append(f"{'% of ' + self.target:<41} " + " ".join(
                f"{100 * share.get(k, 0):>{w}.2f}" for k, w in (("lut", 8), ("ff", 7), ("dsp", 5), ("bram", 5))))
        timing = f"latency {self.latency_cycles} cycle(s)"
        if self.clock_ns:
            timing += f" = {self.latency_ns:g} ns at {self.clock_ns:g} ns"
        rows.append(f"{timing}, II {self.ii}")
        return "\n".join(rows)

    def to_dict(self) -> dict:
        """Plain data (what ``to_json`` writes)."""
        return dict(backend=self.backend, target=self.target, describes=self.describes,
                    reuse_factor=self.reuse_factor, io=self.io, clock_ns=self.clock_ns,
                    totals=dict(lut=self.lut, ff=self.ff, dsp=self.dsp, bram=self.bram,
                                latency_cycles=self.latency_cycles, ii=self.ii, ebops=self.ebops),
                    utilization=self.utilization(), nodes=[asdict(n) for n in self.nodes])

    def to_json(self) -> str:
        """The report as JSON."""
        return json.dumps(self.to_dict(), indent=2)

    def to_dataframe(self):
        """One row per node as a pandas DataFrame (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as e:
            raise ImportError("Report.to_dataframe needs pandas: pip install pandas") from e
        return pd.DataFrame([{k: v for k, v in asdict(n).items() if k != "detail"} for n in self.nodes])

    def plot(self, path) -> None:
        """A per-node stacked bar chart of LUT, FF and DSP, saved to ``path`` (needs matplotlib)."""
        from .plot import plot_report

        plot_report(self, path)

    def __str__(self) -> str:
        return self.table()


def _bram(value: float) -> str:
    return f"{value:g}" if value else "0"


def ceil_div(a: int, b: int) -> int:
    """``ceil(a / b)`` for positive integers."""
    return -(-a // b)


def log2_levels(n: int) -> int:
    """Levels of a balanced binary tree over ``n`` leaves."""
    return math.ceil(math.log2(n)) if n > 1 else 0
