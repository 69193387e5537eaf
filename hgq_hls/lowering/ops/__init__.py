"""Lowering: each IR node becomes a :class:`~hgq_hls.lowering.netlist.Netlist` (fully
unrolled, every width exact).

One function per op in the :data:`LOWER` registry, in a module named after the op's family
(the same file names as ``ir/ops``).  Activations are numpy object arrays of
:class:`~hgq_hls.lowering.netlist.Operand` (per-sample shape); constants are :class:`Const`
mantissa arrays.  A lowering computes the exact result; the module's output port casts it to
the tensor's type, as the reference does.
"""

from __future__ import annotations

import numpy as np

from ...errors import Problem, UnsupportedModelError
from ...ir import Graph, Node
from ..netlist import Netlist
from ..ports import activation_inputs, entry_type
from .base import LOWER, Const
from . import elementwise, linear, movement, pooling, quantize, tables  # noqa: F401  (registration)

__all__ = ["LOWER", "node_netlist"]


def node_netlist(g: Graph, node: Node, name: str) -> Netlist:
    """The netlist of one node: ports ``in<k>`` (activation inputs) and ``out<k>``."""
    if node.op not in LOWER:
        raise UnsupportedModelError([Problem(node.name, node.op, "the Verilog backend cannot lower it")])
    net = Netlist(name)
    values = {}
    for k, t in enumerate(activation_inputs(g, node)):
        shape = tuple(g.tensors[t].shape)
        per_element = g.tensors[t].carried_elements
        elements = None if per_element is None else per_element.elements()
        ops = net.input(f"in{k}", int(np.prod(shape, dtype=np.int64)), entry_type(g, t), elements)
        arr = np.empty(len(ops), dtype=object)
        arr[:] = ops
        values[t] = arr.reshape(shape)
    for t in node.inputs:
        tensor = g.tensors[t]
        if tensor.is_const:
            values[t] = Const(np.asarray(tensor.value, dtype=object), tensor.type.frac)
    results = LOWER[node.op](net, node, [values[t] for t in node.inputs], g)
    for k, (t, arr) in enumerate(zip(node.outputs, results)):
        net.output(f"out{k}", list(np.asarray(arr, dtype=object).reshape(-1)), g.tensors[t].type)
    return net
