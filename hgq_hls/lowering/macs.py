"""Which constant products a Dense or Conv layer computes, and how many times each.

Shared by the EBOPs count and the HLS layer plan (:mod:`.hls_plan`), so both count the same
multiplications.
"""

from __future__ import annotations

import numpy as np

from .geometry import tap_positions, tap_uses, window_geometry
from ..ir import Graph, Node


def mac_structure(g: Graph, node: Node) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(weight mantissas, hardware copies of each weight's product, terms summed per output).

    A Dense weight is multiplied once per row; a Conv weight once per output position whose
    window covers its tap.  Zero weights vanish (constant folding), so they count no terms.
    """
    w = np.asarray(g.tensors[node.inputs[1]].value)
    nonzero = (w != 0).astype(np.int64)
    if node.op == "Dense":
        rows = int(np.prod(g.tensors[node.inputs[0]].shape, dtype=np.int64)) // w.shape[0]
        copies = np.full(w.shape, rows, dtype=np.int64)
        terms = np.tile(nonzero.sum(axis=0), rows)
        return w, copies, terms
    geo = window_geometry(g.tensors[node.inputs[0]].shape, node.attrs, w.shape[2:])
    per_tap = nonzero.reshape(w.shape[0], w.shape[1], geo["kh"], geo["kw"]).sum(axis=1)
    copies = np.broadcast_to(tap_uses(geo), (w.shape[0], w.shape[1], geo["kh"], geo["kw"])).reshape(w.shape)
    terms = [per_tap[:, [kh for kh, _ in taps], [kw for _, kw in taps]].sum(axis=1) if taps
             else np.zeros(w.shape[0], dtype=np.int64) for taps in tap_positions(geo)]
    return w, copies, np.concatenate(terms)
