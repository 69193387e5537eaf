"""EBOPs (effective bit operations) as HGQ defines them, so figures compare with HGQ papers.

HGQ (Sun et al., arXiv:2405.00645 v1/v2, Eq. 5): EBOPs = sum over all multiplications of
``b_x * b_w``, where ``b_x`` is the bit width of the activation (the sign bit included when it
is signed) and ``b_w`` of a constant is the number of bits between its most and least
significant non-zero bits (``001xx1000`` counts 4; zero counts 0).  Additions are not counted.
A fully unrolled convolution counts every output position (HGQ's ``parallel_factor`` equal to
the number of positions); padded taps multiply nothing.  Products of two signals count
``b_a * b_b``.
"""

from __future__ import annotations

import numpy as np

from ..lowering.ports import activation_inputs, entry_type
from ..ir import Graph, Node
from ..ir.ops import OPS
from .digits import effective_bits
from ..lowering.macs import mac_structure


def _bits(g: Graph, name: str) -> int:
    return entry_type(g, name).width


def _elements(g: Graph, name: str) -> int:
    return int(np.prod(g.tensors[name].shape, dtype=np.int64))


def node_ebops(g: Graph, node: Node) -> int:
    """EBOPs of one node (0 for nodes without multiplications)."""
    acts = activation_inputs(g, node)
    op = OPS[node.op]
    if op.multiply_accumulate:
        w, copies, _ = mac_structure(g, node)     # copies: rows, or output positions per tap
        return _bits(g, node.inputs[0]) * int((effective_bits(w) * copies).sum())
    if op.elementwise_product:
        consts = [t for t in node.inputs if g.tensors[t].is_const]
        n = _elements(g, node.outputs[0])
        if len(acts) == 2:
            return n * _bits(g, acts[0]) * _bits(g, acts[1])
        if acts and consts:
            c = np.broadcast_to(effective_bits(g.tensors[consts[0]].value), g.tensors[node.outputs[0]].shape)
            return _bits(g, acts[0]) * int(c.sum())
    if node.op == "Softmax":
        a = node.attrs
        return _elements(g, node.outputs[0]) * a["exp_out"].width * a["inv_out"].width
    return 0
