"""Verilog backend estimate: the netlist each node lowers to, costed cell by cell.

This reads exactly what ``hh.write_verilog`` emits: the same lowering (:func:`node_netlist`)
and the same pipeline plan (:class:`TopPlan`), so flip-flops and latency are counted, not
modelled, and LUTs follow from the widths of the emitted adders, comparators and ROMs.
"""

from __future__ import annotations

from collections import Counter

from ..backends.naming import Namer
from ..backends.verilog.lower import node_netlist
from ..backends.verilog.top import TopPlan
from ..ir import Graph
from .ebops import node_ebops
from .netlist_cost import luts, netlist_features
from .report import NodeEstimate, ceil_div
from .target import Target


def control_luts(latency: int) -> int:
    """LUTs of the top's handshake: ``ap_idle`` is a NOR of ``ap_start`` and the valid bits."""
    return ceil_div(latency + 1, 6) if latency else 0


def estimate_verilog(g: Graph, target: Target, pipeline: str = "layer", progress=None) -> tuple[list, int]:
    """(rows, latency in cycles) for ``g`` as ``write_verilog(g, pipeline=pipeline)`` emits it."""
    coefficients = target.coefficients("verilog", "lut")
    dsp_rules = target.coefficients("verilog", "dsp")
    plan = TopPlan(g, pipeline, Namer(), {name: name for name in g.nodes})
    output_ff, delay_ff = Counter(), Counter()
    for reg in plan.regs:
        (output_ff if reg["name"].startswith("r_") else delay_ff)[reg["tensor"]] += reg["width"]
    rows = []
    for node in g.topological():
        features, dsp = netlist_features(node_netlist(g, node, "estimate"), dsp_rules)
        ff = sum(output_ff[t] + delay_ff[t] for t in node.outputs)
        rows.append(NodeEstimate(node=node.name, op=node.op, lut=luts(features, coefficients), ff=ff,
                                 dsp=dsp, latency_cycles=int(any(output_ff[t] for t in node.outputs)),
                                 ebops=node_ebops(g, node), detail=dict(features)))
        if progress is not None:
            progress.update(1)
    top_ff = plan.latency + sum(delay_ff[t] for t in g.inputs)
    rows.append(NodeEstimate(node="(top: handshake, delayed inputs)", op="top",
                             lut=control_luts(plan.latency), ff=top_ff))
    return rows, plan.latency
