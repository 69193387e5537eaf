"""Quantizer folding: a Quantize whose input is a constant becomes a typed constant."""

from __future__ import annotations

from ..fixed import cast, to_mantissa
from ..ir import Graph


def fold_quantizers(g: Graph) -> tuple[Graph, bool]:
    """Replace Quantize(constant) by the quantized constant (exact mantissas, declared type)."""
    changed = False
    for node in list(g.topological()):
        if node.op != "Quantize" or not g.tensors[node.inputs[0]].is_const:
            continue
        src, t = g.tensors[node.inputs[0]], node.attrs["type"]
        if src.type is None:
            value = to_mantissa(src.value, t, name=src.name)
        else:
            value = cast(src.value, src.type.frac, t, name=src.name)
        out = g.tensors[node.outputs[0]]
        out.value, out.type, out.declared, out.shape = value, t, True, src.shape
        g.remove_node(node.name)
        g.prune()
        changed = True
    return g, changed
