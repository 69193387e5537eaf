"""Verilog backend estimate: the netlist each node lowers to, costed cell by cell.

This reads exactly what ``hh.write_verilog`` emits: the same lowering (:func:`node_netlist`)
and the same pipeline plan (:class:`TopPlan`), so flip-flops and latency are counted, not
modelled, and LUTs follow from the widths of the emitted adders, comparators and ROMs.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import Counter, OrderedDict


from ..lowering.naming import Namer
from ..lowering.ops import clear_cache as clear_lowering_cache
from ..lowering.ops import node_key, node_netlist, searching_ahead
from ..lowering.pipeline import TopPlan
from ..ir import Graph
from .ebops import node_ebops
from .netlist_cost import luts, netlist_features
from .report import NodeEstimate, ceil_div
from .target import Target

#: node content -> (features, DSPs): re-estimating a graph after changing one layer (a
#: precision search does this hundreds of times) lowers only the changed nodes
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 4096


def clear_cache() -> None:
    """Forget cached node costs and netlists (to time an estimate from cold)."""
    _CACHE.clear()
    clear_lowering_cache()


def _node_key(g: Graph, node, dsp_rules: dict) -> bytes:
    """A digest of everything a node's cost depends on: its netlist and the DSP rules."""
    return node_key(g, node) + hashlib.sha256(pickle.dumps(sorted(dsp_rules.items()))).digest()


def node_features(g: Graph, node, dsp_rules: dict, key: bytes | None = None) -> tuple[Counter, int]:
    """(features, DSP slices) of the netlist ``node`` lowers to, cached by content (``key``:
    its :func:`_node_key`, when known)."""
    key = key or _node_key(g, node, dsp_rules)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    result = netlist_features(node_netlist(g, node, "estimate"), dsp_rules)
    _CACHE[key] = result
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return result


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
        (output_ff if reg["kind"] == "output" else delay_ff)[reg["tensor"]] += reg["width"]
    rows = []
    nodes = g.topological()
    keys = [_node_key(g, node, dsp_rules) for node in nodes]
    with searching_ahead(g, [node for node, key in zip(nodes, keys) if key not in _CACHE]):
        for node, key in zip(nodes, keys):
            features, dsp = node_features(g, node, dsp_rules, key)
            ff = sum(output_ff[t] + delay_ff[t] for t in node.outputs)
            rows.append(NodeEstimate(node=node.name, op=node.op, lut=luts(features, coefficients), ff=ff,
                                     dsp=dsp, latency_cycles=int(any(output_ff[t] for t in node.outputs)),
                                     ebops=node_ebops(g, node), detail=dict(features)))
            if progress is not None:
                progress.update(1)
    top_ff = plan.latency + sum(delay_ff[t] for t in g.inputs)
    rows.append(NodeEstimate(node="(top)", op="control",
                             lut=control_luts(plan.latency), ff=top_ff))
    return rows, plan.latency
