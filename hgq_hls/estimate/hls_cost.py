"""Vitis HLS backend estimate: a model of what HLS builds from the generated C++ (not fitted).

Dense and Conv: each multiplication is a DSP or fabric by the one rule the HLS writer emits
as ``BIND_OP`` (:func:`multiplier_impl`); at ``reuse_factor=1`` weights are constants, so a
fabric product is shift-and-add over its signed digits, and a DSP product whose constant has at
most two signed digits is shift-and-add too; zero weights vanish.  With ``reuse_factor > 1``
``ceil(n_mult / RF)`` generic multipliers are shared (II = RF).  Accumulation is an adder tree
in the accumulator type.  Latency per layer: multiplier delay plus adder-tree levels, cut into
clock periods.  Tables go to block RAM from ``rom_min_entries`` entries.  Other ops (casts,
ReLU, max, ...) are costed from their RTL netlist's features at one LUT per bit, since HLS
builds the same logic.
"""

from __future__ import annotations

import math

import numpy as np

from ..ir import Graph, Node
from ..ir.ops import OPS
from ..lowering.hls_plan import mac_plan
from ..lowering.ports import entry_type
from .digits import csd_counts
from .ebops import node_ebops
from .netlist_cost import luts
from .report import NodeEstimate, ceil_div, log2_levels
from .target import Target
from .verilog_cost import node_features

def finn_mult_luts(a: int, b: int) -> int:
    """LUTs of an a x b fabric multiplier (FINN-R: (2*ceil((a+b)/6) - 1) * (a + b))."""
    return (2 * math.ceil((a + b) / 6) - 1) * (a + b)


def _mac(g: Graph, node: Node, target: Target, rf: int, clock_ns: float, plan=None) -> NodeEstimate:
    """One Dense/Conv layer by its plan (``mac_plan``'s unless given: io_stream's one kernel)."""
    c = lambda group, name: target.coefficient("hls", group, name)  # noqa: E731
    plan = plan or mac_plan(g, node, rf)
    x_t, w_t, acc_t, impl = plan.input_type, plan.weight_type, plan.accumulator_type, plan.impl
    w, copies, terms, n_mult = plan.weights, plan.copies, plan.terms, plan.multiplications
    adder_bits = int(np.maximum(terms - 1, 0).sum()) * acc_t.width
    lut, dsp, digits_deepest = 0.0, 0, 1
    if rf == 1:
        count, span = csd_counts(w)
        on_dsp = (count > c("dsp", "const_max_digits_in_fabric")) if impl == "dsp" else np.zeros(w.shape, bool)
        in_fabric = ~on_dsp & (count > 1)
        # operand bits summed over a weight's uses: the input's width on each (per element, the
        # dense_elements template casts each operand to its own type; a pruned one has no product)
        uses, operand_bits = copies, copies * x_t.width
        if plan.input_elements is not None and node.op == "Dense":
            widths = np.asarray(plan.input_elements.width, dtype=np.int64).reshape(-1, w.shape[0])
            uses = np.broadcast_to((widths > 0).sum(axis=0)[:, None], w.shape)
            operand_bits = np.broadcast_to(widths.sum(axis=0)[:, None], w.shape)
        dsp = int((uses * on_dsp).sum())
        lut = float((in_fabric * (count - 1) * (operand_bits + uses * span)).sum()) * c("lut", "adder_bit")
        digits_deepest = int(count[~on_dsp].max(initial=1))
    else:
        shared = plan.multipliers
        if impl == "dsp":
            dsp = shared
        else:
            lut += shared * finn_mult_luts(x_t.width, w_t.width) * c("lut", "mul_finn_scale")
        lut += shared * (x_t.width + w_t.width) * ceil_div(rf, 4) * c("lut", "mux_bit_per_4")
    lut += adder_bits * c("lut", "adder_bit")
    budget = clock_ns * (1 - c("latency", "uncertainty"))
    mult_ns = c("latency", "dsp_ns") if dsp or (impl == "dsp" and rf > 1) else \
        log2_levels(digits_deepest) * c("latency", "adder_ns")
    levels = log2_levels(int(terms.max(initial=1)))
    cycles = max(1, math.ceil((mult_ns + levels * c("latency", "adder_ns")) / budget)) * rf
    detail = dict(multiplications=n_mult, impl=impl, adder_bits=adder_bits, tree_levels=levels)
    return NodeEstimate(node.name, node.op, lut=lut, dsp=dsp, latency_cycles=cycles, detail=detail)


def _table_entries(node: Node) -> list[tuple[int, int, int]]:
    """(entries, entry bits, parallel lookups) of each table of a Lookup/Softmax node."""
    if node.op == "Lookup":
        return [(len(node.attrs["table"]), node.attrs["out_type"].width, None)]
    a = node.attrs
    exp_table, inv_table = a["tables"]
    return [(len(exp_table), a["exp_out"].width, None), (len(inv_table), a["inv_out"].width, "rows")]


def _tables(g: Graph, node: Node, row: NodeEstimate, target: Target) -> None:
    """Move large tables from LUTs to block RAM (one BRAM18 per two parallel lookups).

    The ROM LUTs the netlist counted are split among the node's tables by size (entries x bits),
    and a table's share leaves the LUT count when it goes to block RAM.
    """
    c = lambda name: target.coefficient("hls", "bram", name)  # noqa: E731
    n = int(np.prod(g.tensors[node.outputs[0]].shape, dtype=np.int64))
    tables = _table_entries(node)
    rom_luts = row.detail.get("rom_luts", 0) * target.coefficient("hls", "lut", "rom_bit")
    total_bits = sum(entries * bits for entries, bits, _ in tables) or 1
    for entries, bits, per in tables:
        lookups = n // g.tensors[node.outputs[0]].shape[node.attrs["axis"]] if per == "rows" else n
        if entries >= c("rom_min_entries"):
            row.bram += ceil_div(lookups, 2) * ceil_div(entries * bits, int(c("bram18_bits"))) / 2
            row.lut -= rom_luts * entries * bits / total_bits
    row.lut = max(row.lut, 0.0)
    row.latency_cycles = int(target.coefficient("hls", "latency", "table_cycles")) * len(tables)


def parallel_row(g: Graph, node: Node, target: Target, reuse_factor: int, clock_ns: float,
                 plan=None) -> NodeEstimate:
    """LUT, DSP, BRAM, latency and EBOPs of one node as io_parallel builds it (FFs: the caller's)."""
    if OPS[node.op].multiply_accumulate:
        row = _mac(g, node, target, reuse_factor, clock_ns, plan)
    else:
        features, dsp = node_features(g, node, target.coefficients("verilog", "dsp"))
        # analytic unit costs (one LUT per bit): Vivado builds every adder bit in a LUT
        rom_bit = target.coefficient("hls", "lut", "rom_bit")
        unit = {k: (rom_bit if k == "rom_luts" else 1.0) for k in features}
        row = NodeEstimate(node.name, node.op, lut=luts(features, unit), dsp=dsp, detail=dict(features))
        if OPS[node.op].table:
            _tables(g, node, row, target)
    row.ebops = node_ebops(g, node)
    return row


def estimate_hls(g: Graph, target: Target, reuse_factor: int = 1, clock_ns: float = 5.0,
                 progress=None) -> tuple[list, int]:
    """(rows, latency in cycles) of ``g`` as a Vitis HLS io_parallel design (modelled)."""
    rows, arrival = [], {t: 0 for t in g.inputs}
    for node in g.topological():
        row = parallel_row(g, node, target, reuse_factor, clock_ns)
        out_bits = sum(int(np.prod(g.tensors[t].shape, dtype=np.int64)) * g.tensors[t].type.width
                       for t in node.outputs)
        row.ff = int(out_bits * row.latency_cycles * target.coefficient("hls", "ff", "per_output_bit_per_cycle"))
        start = max((arrival.get(t, 0) for t in node.inputs), default=0)
        for t in node.outputs:
            arrival[t] = start + row.latency_cycles
        rows.append(row)
        if progress is not None:
            progress.update(1)
    io = int(target.coefficient("hls", "latency", "io_cycles"))
    in_bits = sum(int(np.prod(g.tensors[t].shape, dtype=np.int64)) * entry_type(g, t).width for t in g.inputs)
    rows.append(NodeEstimate("(top)", "io registers", ff=in_bits * io, latency_cycles=io))
    latency = io + max((arrival[t] for t in g.outputs), default=0)
    return rows, latency
