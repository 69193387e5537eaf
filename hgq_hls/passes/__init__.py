"""The pass pipeline, in order.  Each pass is ``Graph -> (Graph, changed)``.

    canonicalize  drop Identity/Dropout; compose Transposes of Transposes (pairs cancel); fold BatchNorm (and any per-channel affine) into
                  float Dense/Conv weights; fuse constant clamps after a saturating quantizer
                  into its (per-element) types; fold quantizers on constants; move float
                  scales out of Dense/Conv (integer weights and inputs)
    shapes        re-derive every shape from the op rules and check the rewrites kept them
    precision     declare the types the user asked for (input, default, per node)
    fold          quantize constants that just got a declared type
    infer         exact types and intervals for every other tensor
    thresholds    fuse monotone chains ending in a low-bit quantizer into comparisons
"""

from __future__ import annotations

from ..ir import Graph
from .canonicalize import fold_affine_into_layers, fold_transposes, remove_dead_nodes, remove_identity
from .default_precision import apply_precision
from .extract_scales import extract_scales
from .fold_quantizers import fold_quantizers
from .fuse_clamps import fuse_clamped_quantizers
from .precision import infer_precision
from .shapes import infer_shapes
from .thresholds import fuse_thresholds

CANONICALIZE = [remove_identity, fold_transposes, remove_dead_nodes, fold_affine_into_layers, fuse_clamped_quantizers, fold_quantizers,
                extract_scales]


def run_to_fixpoint(g: Graph, passes) -> Graph:
    """Apply ``passes`` in order until none of them changes the graph."""
    changed = True
    while changed:
        changed = False
        for p in passes:
            g, did = p(g)
            changed |= did
    return g


def compile_graph(g: Graph, input_type=None, default_type=None, precision=None,
                  thresholds: bool = True) -> Graph:
    """The whole pipeline: canonicalize, declare precision, fold, infer exact types, and (with
    ``thresholds``) fuse monotone chains into low-bit quantizers as comparisons."""
    g = run_to_fixpoint(g, CANONICALIZE)
    g, _ = infer_shapes(g)
    g, _ = apply_precision(g, input_type, default_type, precision)
    g = run_to_fixpoint(g, [fold_quantizers])
    g, _ = infer_precision(g)
    if thresholds:
        g, fused = fuse_thresholds(g)
        if fused:
            g, _ = infer_precision(g)
    return g.validate()
