"""Verilog io_stream estimate: the stages ``write_verilog(g, io="stream")`` emits, costed from the
same plan (:class:`~hgq_hls.lowering.rtl_stream_plan.StreamTop`) and the same kernels.

- A kernel (one window's or one pixel's logic, or a buffered node's whole logic) costs its
  netlist, exactly as the io_parallel estimate costs a layer.
- A stage costs what yosys maps its generic module to (``[verilog.stream]`` coefficients,
  measured on ``templates/verilog/stream/stages.v.j2``): a line buffer is flip-flops where a
  tap reads it and SRLC32E shift registers along the runs between taps; a FIFO distributed RAM
  (RAM32M16 up to 32 entries, RAM64M8 up to ``lutram_max_depth``) or block RAM; a collector
  a register per beat and a LUT per beat to enable it; an emitter a multiplexer over its beats.

Timing (:mod:`.stream_timing`): each stage moves one beat per cycle and adds one cycle (a
buffered stage two, after its last input beat); the II is the busiest stage's cycles per sample.
"""

from __future__ import annotations

import math

from ..lowering.rtl_stream_plan import StreamTop
from ..ir import Graph
from ..lowering.ports import activation_inputs
from ..lowering.stream_plan import stream_shape
from .stream_timing import input_times, node_times
from .netlist_cost import luts, netlist_features
from .report import NodeEstimate, ceil_div
from .target import Target
from .ebops import node_ebops


def _bits(n: int) -> int:
    return max(math.ceil(math.log2(n)), 1) if n > 1 else 1


def line_buffer(held: int, taps: set[int], pixel_bits: int, c) -> tuple[float, int]:
    """(LUT, FF) of a line buffer of ``held`` pixels read at ``taps`` (ages 1..held): a tapped
    register after another tapped one (or after the input) is a flip-flop; a run of untapped
    registers ending in a tap is one shift register chain."""
    lut = ff = 0
    previous = 0
    for age in sorted(a for a in taps if a >= 1):
        run = age - previous          # registers from the last tap to this one, this one included
        if run == 1:
            ff += 1
        elif run < c("srl_min_length"):
            ff += run
        else:
            lut += ceil_div(run, int(c("srl_depth")))
        previous = age
    return lut * pixel_bits, ff * pixel_bits


def fifo(width: int, depth: int, c) -> tuple[float, int, float]:
    """(LUT, FF, BRAM) of a FIFO of ``depth`` beats of ``width`` bits."""
    aw = _bits(depth)
    lut, ff, bram = c("fifo_control_luts") + c("fifo_luts_per_address_bit") * aw, 3 * aw + 2, 0.0
    if depth <= 32:
        lut += 8 * ceil_div(width, 14)                       # RAM32M16: 32 x 14 bits
    elif depth <= c("lutram_max_depth"):
        lut += 8 * ceil_div(depth, 64) * ceil_div(width, 7)  # RAM64M8: 64 x 7 bits
    else:
        bram = ceil_div(width * depth, int(c("bram18_bits"))) / 2
        ff += width                                          # block RAM reads are registered
    return lut, ff, bram


def stage_cost(instance: dict, c) -> tuple[float, int, float]:
    """(LUT, FF, BRAM) of one generic stage instance of the plan."""
    kind = instance["stage"]
    p = dict(instance["params"])
    if kind == "fork":
        return 0.0, 0, 0.0      # wiring
    if kind == "fifo":
        return fifo(p["W"], p["DEPTH"], c)
    if kind == "pixel":
        return c("pixel_luts"), p["W"] + 1, 0.0
    if kind == "window":
        pixel = p["C"] * p["B"]
        facts = instance["facts"]
        lut, ff = line_buffer(p["LEN"], facts["taps"], pixel, c)
        lut += c("window_control_luts") + (pixel if facts["padded"] else 0)     # the padding multiplexer
        return lut, ff + p["RW"] + 1 + _bits(p["HP"]) + _bits(p["WP"]), 0.0
    bits = p["C"] * p["B"] * p["BEATS"]
    if kind == "collect":
        return c("collect_luts_per_beat") * p["BEATS"] + c("collect_control_luts"), bits + _bits(p["BEATS"] + 1), 0.0
    if kind == "emit":
        width = p["C"] * p["B"]
        mux = (c("emit_luts_per_bit_beat") * (p["BEATS"] - 1) + c("emit_luts_per_bit")) * width if p["BEATS"] > 1 else 0
        return mux + c("pixel_luts"), width + 1 + _bits(p["BEATS"] + 1), 0.0
    raise AssertionError(f"unknown stage {kind}")


def estimate_verilog_stream(g: Graph, target: Target, progress=None) -> tuple[list, int, int]:
    """(rows, latency, II) for ``g`` as ``write_verilog(g, io="stream")`` emits it: per node its
    kernel and stages, forks and FIFOs under the node producing the tensor they carry (a graph
    input's under ``"(top)"``); cycles from the first input beat to the last output beat, and
    the busiest stage's cycles per sample."""
    coefficients = target.coefficients("verilog", "lut")
    dsp_rules = target.coefficients("verilog", "dsp")
    c = lambda name: target.coefficient("verilog", "stream", name)  # noqa: E731
    top = StreamTop(g, "estimate")
    streams = top.streams
    first, last = input_times(g, streams)
    rows, interval = {}, 1
    for node in g.topological():
        kind, ins = top.kinds[node.name], activation_inputs(g, node)
        f_in, l_in = max((first[t] for t in ins), default=0), max((last[t] for t in ins), default=0)
        # a window or pixel stage registers its result; a buffered one collects, then emits
        f_out, l_out, busy = node_times(g, node, kind, f_in, l_in, 2 if kind == "buffered" else 1,
                                        buffered_busy=1 + sum(stream_shape(g.tensors[t].shape)[0] for t in ins))
        for t in node.outputs:
            first[t], last[t] = f_out + streams[t].forked, l_out + streams[t].forked
        interval = max(interval, busy)
        features, dsp = netlist_features(top.netlists[node.name], dsp_rules)
        rows[node.name] = NodeEstimate(node=node.name, op=node.op, lut=luts(features, coefficients), dsp=dsp,
                                       latency_cycles=f_out - f_in, ebops=node_ebops(g, node),
                                       detail=dict(features, stage=kind, cycles_per_sample=busy))
        if progress is not None:
            progress.update(1)
    control = NodeEstimate(node="(top)", op="streams")
    for instance in top.instances:
        if instance["stage"] is None:
            continue
        lut, ff, bram = stage_cost(instance, c)
        row = rows.get(instance["node"], control)
        row.lut += lut
        row.ff += ff
        row.bram += bram
    latency = max((last[t] for t in g.outputs), default=0) + 1
    return list(rows.values()) + [control], latency, interval
