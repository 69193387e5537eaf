"""Vitis HLS io_stream estimate: the processes and FIFOs ``write_hls(io="stream")`` emits
(:mod:`hgq_hls.lowering.stream_plan`), costed with the io_parallel models of their logic.

- A window layer is one kernel instance: a Conv costs one output pixel's multiplications and
  adder trees (each weight once), a pooling layer one output pixel's share of its logic; its line
  buffer (``keh`` x C rows of ``wp`` words) is distributed RAM, or block RAM from
  ``rom_min_entries`` words.
- An elementwise layer costs one pixel's share of its io_parallel logic.
- Any other layer costs its io_parallel logic plus registers for its whole inputs and outputs.
- FIFOs: registers up to ``register_max_depth`` entries, shift registers (SRL) below
  ``rom_min_entries``, block RAM beyond.

Timing: every process handles one pixel per ``reuse_factor`` cycles; a tensor's first and last
pixels arrive at cycles derived process by process (a window's first output waits for its first
window, a buffered layer for its whole input).  The latency is the last output pixel's cycle;
the interval (II) is the busiest process's cycles per sample.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..ir import Graph, Node
from ..lowering.hls_plan import mac_plan
from ..lowering.multipliers import shared_multipliers
from ..lowering.ports import entry_type
from ..lowering.stream_plan import activation_inputs, process_kind, stream_edges, stream_shape, window_extents
from .hls_cost import parallel_row
from .report import NodeEstimate, ceil_div
from .stream_timing import input_times, node_times
from .target import Target


def _kernel_plan(g: Graph, node: Node, rf: int):
    """A Conv's plan as one streamed kernel: each weight that some window uses, once."""
    plan = mac_plan(g, node, rf)
    used = (plan.copies > 0) & (plan.weights != 0)
    terms = used.reshape(used.shape[0], -1).sum(axis=1) + (len(node.inputs) > 2)
    n_mult = int(used.sum())
    return dataclasses.replace(plan, copies=used.astype(np.int64), terms=terms, multiplications=n_mult,
                               multipliers=shared_multipliers(n_mult, rf) if rf > 1 else None)


def _scale(row: NodeEstimate, share: float) -> None:
    """Keep ``share`` of a row's logic (one pixel of many)."""
    row.lut *= share
    row.bram *= share
    row.dsp = int(np.ceil(row.dsp * share))


def _memory(target: Target, words: int, bits: int, copies: int) -> tuple[float, float]:
    """(LUT, BRAM) of ``copies`` memories of ``words`` x ``bits``."""
    c = lambda group, name: target.coefficient("hls", group, name)  # noqa: E731
    if words >= c("bram", "rom_min_entries"):
        return 0.0, copies * ceil_div(words * bits, int(c("bram", "bram18_bits"))) / 2
    return copies * ceil_div(words, int(c("stream", "lutram_bits_per_lut"))) * bits, 0.0


def _fifo(target: Target, depth: int, bits: int) -> tuple[float, int, float]:
    """(LUT, FF, BRAM) of one FIFO of ``depth`` pixels of ``bits``."""
    c = lambda group, name: target.coefficient("hls", group, name)  # noqa: E731
    if depth <= c("stream", "register_max_depth"):
        return 0.0, depth * bits, 0.0
    if depth < c("bram", "rom_min_entries"):
        return ceil_div(depth, int(c("stream", "srl_depth_per_lut"))) * bits, 0, 0.0
    return 0.0, 0, ceil_div(depth * bits, int(c("bram", "bram18_bits"))) / 2


def _bits(g: Graph, t: str) -> int:
    """Bits of one pixel of tensor ``t``."""
    return stream_shape(g.tensors[t].shape)[1] * entry_type(g, t).width


def estimate_hls_stream(g: Graph, target: Target, reuse_factor: int = 1, clock_ns: float = 5.0,
                        progress=None) -> tuple[list, int, int]:
    """(rows, latency in cycles, II in cycles) of ``g`` as a Vitis HLS io_stream design (modelled)."""
    rf = reuse_factor
    overhead = int(target.coefficient("hls", "stream", "process_overhead_cycles"))
    streams = stream_edges(g)
    first, last = input_times(g, streams)
    rows, interval = [], 1
    top = NodeEstimate("(top)", "fifos")
    for node in g.topological():
        kind = process_kind(g, node)
        ins = activation_inputs(g, node)
        f_in = max((first[t] for t in ins), default=0)
        l_in = max((last[t] for t in ins), default=0)
        out_pixels = stream_shape(g.tensors[node.outputs[0]].shape)[0]
        if kind == "window":
            ext = window_extents(g, node)
            geo = ext["geo"]
            if node.op == "Conv":
                row = parallel_row(g, node, target, rf, clock_ns, plan=_kernel_plan(g, node, rf))
            else:
                row = parallel_row(g, node, target, rf, clock_ns)
                _scale(row, 1 / (geo["oh"] * geo["ow"]))
            lut, bram = _memory(target, ext["wp"], entry_type(g, node.inputs[0]).width, ext["keh"] * geo["c"])
            row.lut += lut
            row.bram += bram
            f_out, l_out, busy = node_times(g, node, kind, f_in, l_in, row.latency_cycles + overhead, rf)
        elif kind == "pixel":
            row = parallel_row(g, node, target, rf, clock_ns)
            _scale(row, 1 / out_pixels)
            f_out, l_out, busy = node_times(g, node, kind, f_in, l_in, row.latency_cycles + overhead, rf)
        else:
            row = parallel_row(g, node, target, rf, clock_ns)
            held = sum(int(np.prod(g.tensors[t].shape, dtype=np.int64)) * entry_type(g, t).width
                       for t in ins + list(node.outputs))
            row.ff += held
            f_out, l_out, busy = node_times(
                g, node, kind, f_in, l_in, row.latency_cycles + overhead, rf,
                buffered_busy=sum(stream_shape(g.tensors[t].shape)[0] for t in ins) + row.latency_cycles * rf)
        row.ff += int(sum(_bits(g, t) for t in node.outputs) * row.latency_cycles *
                      target.coefficient("hls", "ff", "per_output_bit_per_cycle"))
        row.latency_cycles = f_out - f_in
        row.detail.update(process=kind, cycles_per_sample=busy)
        interval = max(interval, busy)
        for t in node.outputs:
            forked = streams[t].forked
            first[t], last[t] = f_out + forked, l_out + forked
        rows.append(row)
        if progress is not None:
            progress.update(1)
    for ts in streams.values():
        for edge in ts.fifos:
            lut, ff, bram = _fifo(target, edge.depth, _bits(g, ts.tensor))
            top.lut, top.ff, top.bram = top.lut + lut, top.ff + ff, top.bram + bram
    top.detail.update(fifos=sum(len(ts.fifos) for ts in streams.values()))
    rows.append(top)
    latency = max((last[t] for t in g.outputs), default=0) + 1
    return rows, latency, interval
