"""Fuse a saturating quantizer and the constant clamps after it into per-element types.

QONNX's portable encoding of per-element types (``../shared/reference/training_side.md`` §6.2 B)
is ``Quant(scale_e, wide bitwidth) -> Min(hi_e) -> Max(lo_e)``: only standard ops, so any
QONNX tool runs it.  Clamping a value already on element ``e``'s grid to bounds on that grid
*is* saturation to the narrower type whose range those bounds are, so the chain is one
quantizer with a type per element (width 0 where ``lo_e == hi_e == 0``: pruned).  Bounds that
are not the range of a fixed-point type leave the chain as it is (still exact).
"""

from __future__ import annotations

import numpy as np

from ..fixed import ElementTypes, FixedType, float_to_exact
from ..fixed.storage import as_object
from ..ir import Graph


def _as_element_types(t, shape) -> ElementTypes:
    return t if isinstance(t, ElementTypes) else ElementTypes.of(t, shape)


def _bounds_on_grid(g: Graph, name: str, frac: np.ndarray, shape) -> np.ndarray | None:
    """A constant bound as integer mantissas of each element's grid, or None if off-grid."""
    tensor = g.tensors[name]
    if tensor.type is not None:
        m, f = as_object(tensor.value), tensor.type.frac
    else:
        values = np.asarray(tensor.value, dtype=np.float64)
        if not np.all(np.isfinite(values)):
            return None
        m, f = (as_object(a) for a in float_to_exact(values))
    m, f = np.broadcast_to(m, shape), np.broadcast_to(f, shape)
    shift = as_object(np.broadcast_to(frac, shape)) - f          # scale onto 2**-frac
    up = np.where(shift >= 0, shift, 0)
    down = np.where(shift < 0, -shift, 0)
    scaled = (m << up)
    exact = (scaled >> down) << down == scaled
    return scaled >> down if exact.all() else None


def _narrowed(types: ElementTypes, lo: np.ndarray, hi: np.ndarray) -> ElementTypes | None:
    """Types with the same grids and rounding whose saturation range is ``[lo, hi]`` per element."""
    span = hi - lo
    pruned = (lo == 0) & (hi == 0)
    unsigned = (lo == 0) & ~pruned
    sat = (lo == -(hi + 1)) & (hi >= 0)
    sym = (lo == -hi) & (hi > 0)
    width = np.zeros(lo.shape, dtype=np.int64)
    signed = np.zeros(lo.shape, dtype=bool)
    for e in np.ndindex(*lo.shape):
        top = int(hi[e]) + 1
        if pruned[e]:
            continue
        if top & (top - 1) or span[e] < 0:
            return None                                      # not 2**n - 1 on this grid
        n = top.bit_length() - 1
        if unsigned[e]:
            width[e] = n
        elif sat[e] or sym[e]:
            signed[e], width[e] = True, n + 1
        else:
            return None
    live_signed = signed & ~pruned
    if np.any(sat & live_signed & ~sym) and np.any(sym & live_signed & ~sat):
        return None                                          # SAT and SAT_SYM elements mixed
    overflow = "SAT_SYM" if np.any(sym & live_signed & ~sat) else "SAT"
    integer = np.where(pruned, 0, width - types.frac)
    return ElementTypes(signed, width, integer, types.rounding, overflow, types.shape)


def _clamp_chain(g: Graph, tensor: str) -> list:
    """The Clip nodes that read ``tensor`` one after another, each the only reader of the last
    (Min then Max, or one Clip), with constant bounds."""
    chain = []
    while tensor not in g.outputs:
        readers = g.consumers(tensor)
        if len(readers) != 1 or readers[0].op != "Clip" or readers[0].inputs[0] != tensor \
                or not all(g.tensors[b].is_const for b in readers[0].inputs[1:]):
            break
        chain.append(readers[0])
        tensor = readers[0].outputs[0]
    return chain


def _fused(g: Graph, quantize, clips) -> ElementTypes | FixedType | None:
    t = quantize.attrs["type"]
    if t.overflow not in ("SAT", "SAT_SYM"):
        return None                                          # clamps commute with saturation only
    shape = tuple(g.tensors[quantize.outputs[0]].shape)
    types = _as_element_types(t, shape)
    lo, hi = types.saturation_bounds
    for clip in clips:
        rest = iter(clip.inputs[1:])
        for present, side in zip(clip.attrs["bounds"], ("lo", "hi")):
            if not present:
                continue
            bound = _bounds_on_grid(g, next(rest), types.frac, shape)
            if bound is None:
                return None
            # ONNX Clip applies max(lo) before min(hi), in order along the chain
            lo, hi = (np.maximum(lo, bound), np.maximum(hi, bound)) if side == "lo" else \
                (np.minimum(lo, bound), np.minimum(hi, bound))
    lo, hi = np.where(types.pruned, 0, lo), np.where(types.pruned, 0, hi)
    narrowed = _narrowed(types, lo.astype(object), hi.astype(object))
    if narrowed is None:
        return None
    return narrowed.uniform() or narrowed


def fuse_clamped_quantizers(g: Graph) -> tuple[Graph, bool]:
    """Quantize -> Clip(s) with constant bounds becomes one Quantize with the narrowed types."""
    changed = False
    for node in list(g.topological()):
        if node.op != "Quantize" or node.name not in g.nodes:
            continue
        clips = _clamp_chain(g, node.outputs[0])
        t = _fused(g, node, clips) if clips else None
        if t is None:
            continue
        node.attrs["type"] = t
        node.outputs = [clips[-1].outputs[0]]
        for clip in clips:
            g.remove_node(clip.name)
        g.prune()
        changed = True
    return g, changed
