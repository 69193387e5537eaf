"""``hh.estimate``: resources, latency and EBOPs of a typed graph, before any synthesis."""

from __future__ import annotations

from ..errors import ArgumentError
from ..lowering.ports import check_reuse_factor, require_fixed_point
from ..lowering.stream_plan import HLS_IO, RTL_IO
from ..inputs import positive_float
from ..ir import Graph
from ..progress import counter
from .hls_cost import estimate_hls
from .hls_stream_cost import estimate_hls_stream
from .verilog_stream_cost import estimate_verilog_stream
from .report import Report
from .target import load_target
from .verilog_cost import estimate_verilog

BACKENDS = ("verilog", "hls")


def estimate(g: Graph, backend: str = "verilog", target: str = "xcvu9p", reuse_factor: int = 1,
             pipeline: str = "layer", clock_ns: float | None = None, progress: bool = False,
             io: str = "parallel") -> Report:
    """Estimate LUT, FF, DSP, BRAM, latency, II and EBOPs of ``g`` for one backend.

    ``backend="verilog"`` costs the netlist ``hh.write_verilog(g, pipeline=pipeline)`` emits
    (LUT coefficients fitted to yosys; FF and latency counted exactly); with ``io="stream"`` the
    kernels and stages of ``write_verilog(g, io="stream")`` (cycles from the first input beat to the last output beat; II the busiest stage's cycles per sample).
    ``backend="hls"`` models Vitis HLS with ``reuse_factor`` at ``clock_ns`` (default 5 ns):
    ``io="parallel"`` (II = reuse_factor) or ``io="stream"`` (the processes and FIFOs of
    ``write_hls(io="stream")``; II = the busiest process's cycles per sample); see
    ``docs/estimator.md`` for the models and their sources.
    """
    if backend not in BACKENDS:
        raise ArgumentError("backend", f"{backend!r}: choose one of {BACKENDS}")
    check_reuse_factor(reuse_factor)
    if backend == "verilog" and reuse_factor != 1:
        raise ArgumentError("reuse_factor", "the Verilog backend is fully parallel: it must be 1")
    ios = HLS_IO if backend == "hls" else RTL_IO
    if io not in ios:
        raise ArgumentError("io", f"{io!r}: backend={backend!r} has io " + ", ".join(repr(m) for m in ios))
    require_fixed_point(g)
    t = load_target(target)
    with counter(len(g.nodes), f"estimate ({backend})", "node", enabled=progress) as bar:
        if backend == "verilog" and io == "stream":
            rows, latency, ii = estimate_verilog_stream(g, t, progress=bar)
        elif backend == "verilog":
            rows, latency = estimate_verilog(g, t, pipeline, progress=bar)
            ii = 1
        else:
            clock_ns = 5.0 if clock_ns is None else positive_float(clock_ns, "clock_ns")
            if io == "stream":
                rows, latency, ii = estimate_hls_stream(g, t, reuse_factor, clock_ns, progress=bar)
            else:
                rows, latency = estimate_hls(g, t, reuse_factor, clock_ns, progress=bar)
                ii = reuse_factor
    return Report(backend=backend, target=t.name, describes=t.tool(backend, io), nodes=rows,
                  latency_cycles=latency, ii=ii, device=dict(t.device), clock_ns=clock_ns,
                  reuse_factor=reuse_factor, io=io)
