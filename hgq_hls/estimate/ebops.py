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
from ..lowering.geometry import window_geometry, window_taps
from ..lowering.macs import mac_structure


def _bits(g: Graph, name: str) -> int:
    return entry_type(g, name).width


def _element_bits(g: Graph, name: str) -> np.ndarray | None:
    """Each element's own width when the tensor has per-element types, else None."""
    types = g.tensors[name].carried_elements
    return None if types is None else np.array(types.width, dtype=np.int64)


def _per_element_mac_ebops(g: Graph, node: Node, bits: np.ndarray) -> int:
    """EBOPs of a Dense/Conv whose input elements have their own widths: each product counts
    its own input's bits (a pruned input, 0 bits, counts nothing)."""
    w = np.asarray(g.tensors[node.inputs[1]].value)
    eb = effective_bits(w)
    if node.op == "Dense":
        return int((bits.reshape(-1, w.shape[0]) @ eb.sum(axis=1)).sum())
    geo = window_geometry(g.tensors[node.inputs[0]].shape, node.attrs, w.shape[2:])
    groups, out_ch, per_group = node.attrs["group"], w.shape[0], w.shape[1]
    eb = eb.reshape(out_ch, per_group, geo["kh"], geo["kw"])
    # each input channel's summed weight bits per tap, over the output channels reading it
    per_channel = eb.reshape(groups, out_ch // groups, per_group, geo["kh"], geo["kw"]).sum(axis=1)
    per_channel = per_channel.reshape(groups * per_group, geo["kh"], geo["kw"])
    x = bits.reshape(geo["c"], geo["h"], geo["w"])
    total = 0
    for oh in range(geo["oh"]):
        for ow in range(geo["ow"]):
            for kh, kw, ih, iw in window_taps(geo, oh, ow):
                total += int(x[:, ih, iw] @ per_channel[:, kh, kw])
    return total


def _elements(g: Graph, name: str) -> int:
    return int(np.prod(g.tensors[name].shape, dtype=np.int64))


def node_ebops(g: Graph, node: Node) -> int:
    """EBOPs of one node (0 for nodes without multiplications)."""
    acts = activation_inputs(g, node)
    op = OPS[node.op]
    if op.multiply_accumulate:
        per_element = _element_bits(g, node.inputs[0])
        if per_element is not None:
            return _per_element_mac_ebops(g, node, per_element)
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
    if op.matrix_product:
        # each output sums K products of an a-element and a b-element
        k = g.tensors[node.inputs[0]].shape[-1]
        return _elements(g, node.outputs[0]) * k * _bits(g, node.inputs[0]) * _bits(g, node.inputs[1])
    if node.op == "Softmax":
        a = node.attrs
        return _elements(g, node.outputs[0]) * a["exp_out"].width * a["inv_out"].width
    return 0
