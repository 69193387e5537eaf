"""``hh.estimate``: resources, latency and EBOPs of a typed graph, before any synthesis."""

from __future__ import annotations

from ..errors import ArgumentError
from ..lowering.ports import check_reuse_factor, require_fixed_point
from ..inputs import positive_float
from ..ir import Graph
from ..progress import counter
from .hls_cost import estimate_hls
from .report import Report
from .target import load_target
from .verilog_cost import estimate_verilog

BACKENDS = ("verilog", "hls")


def estimate(g: Graph, backend: str = "verilog", target: str = "xcvu9p", reuse_factor: int = 1,
             pipeline: str = "layer", clock_ns: float | None = None, progress: bool = False) -> Report:
    """Estimate LUT, FF, DSP, BRAM, latency, II and EBOPs of ``g`` for one backend.

    ``backend="verilog"`` costs the netlist ``hh.write_verilog(g, pipeline=pipeline)`` emits
    (LUT coefficients fitted to yosys; FF and latency counted exactly).
    ``backend="hls"`` models Vitis HLS io_parallel with ``reuse_factor`` (II = reuse_factor)
    at ``clock_ns`` (default 5 ns); see ``docs/estimator.md`` for the models and their sources.
    """
    if backend not in BACKENDS:
        raise ArgumentError("backend", f"{backend!r}: choose one of {BACKENDS}")
    check_reuse_factor(reuse_factor)
    if backend == "verilog" and reuse_factor != 1:
        raise ArgumentError("reuse_factor", "the Verilog backend is fully parallel: it must be 1")
    require_fixed_point(g)
    t = load_target(target)
    with counter(len(g.nodes), f"estimate ({backend})", "node", enabled=progress) as bar:
        if backend == "verilog":
            rows, latency = estimate_verilog(g, t, pipeline, progress=bar)
            ii = 1
        else:
            clock_ns = 5.0 if clock_ns is None else positive_float(clock_ns, "clock_ns")
            rows, latency = estimate_hls(g, t, reuse_factor, clock_ns, progress=bar)
            ii = reuse_factor
    return Report(backend=backend, target=t.name, describes=t.tool(backend), nodes=rows,
                  latency_cycles=latency, ii=ii, device=dict(t.device), clock_ns=clock_ns,
                  reuse_factor=reuse_factor)
