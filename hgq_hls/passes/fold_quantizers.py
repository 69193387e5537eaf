"""Quantizer folding: a Quantize whose input is a constant becomes a typed constant."""

from __future__ import annotations

from ..fixed import ElementTypes, cast, convert, to_mantissa
from ..ir import Graph


def fold_quantizers(g: Graph) -> tuple[Graph, bool]:
    """Replace Quantize(constant) by the quantized constant (exact mantissas, declared type)."""
    changed = False
    for node in list(g.topological()):
        if node.op != "Quantize" or not g.tensors[node.inputs[0]].is_const:
            continue
        src, t = g.tensors[node.inputs[0]], node.attrs["type"]
        out = g.tensors[node.outputs[0]]
        if isinstance(t, ElementTypes):
            value, frac = convert(src.value, None if src.type is None else src.type.frac, t)
            out.value, out.type, out.element_types = value, t.container(), t
        elif src.type is None:
            out.value, out.type = to_mantissa(src.value, t, name=src.name), t
        else:
            out.value, out.type = cast(src.value, src.type.frac, t, name=src.name), t
        out.declared, out.shape = True, src.shape
        g.remove_node(node.name)
        g.prune()
        changed = True
    return g, changed
