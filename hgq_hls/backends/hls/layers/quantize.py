"""HLS context builders of Quantize (a copy: the cast is the assignment; per element: one cast
per run of elements of one type) and BipolarQuant."""

from __future__ import annotations

from ....fixed import ElementTypes
from ..context import LayerContext
from .base import layer


def _runs(types: ElementTypes) -> list[tuple[int, int, object]]:
    """(start, end, FixedType or None for pruned) of each run of equal types in flat order."""
    flat = types.elements()
    runs, start = [], 0
    for k in range(1, len(flat) + 1):
        if k == len(flat) or flat[k] != flat[start]:
            runs.append((start, k, None if flat[start].width == 0 else flat[start]))
            start = k
    return runs


@layer("Quantize")
def quantize(ctx: LayerContext):
    t = ctx.node.attrs["type"]
    source = ctx.types.graph.tensors[ctx.node.inputs[0]]
    if not isinstance(t, ElementTypes) or source.entry_elements == t:
        # one type: the assignment to the output array is the cast; a graph input the host
        # already converted per element only moves
        return "copy", ctx.base()
    typedefs: dict = {}
    runs = [dict(start=a, end=b, type=None if e is None else
                 typedefs.setdefault(e, ctx.typedef(f"e{len(typedefs)}_t", e))) for a, b, e in _runs(t)]
    return "quantize_elements", dict(ctx.base(), runs=runs)


@layer("Bipolar")
def bipolar(ctx: LayerContext):
    return "bipolar", dict(ctx.base(), one=2.0 ** -ctx.node.attrs["frac"])
