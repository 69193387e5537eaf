"""Lowering: each IR node becomes a :class:`~hgq_hls.lowering.netlist.Netlist` (fully
unrolled, every width exact).

One function per op in the :data:`LOWER` registry, in a module named after the op's family
(the same file names as ``ir/ops``).  Activations are numpy object arrays of
:class:`~hgq_hls.lowering.netlist.Operand` (per-sample shape); constants are :class:`Const`
mantissa arrays.  A lowering computes the exact result; the module's output port casts it to
the tensor's type, as the reference does.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import hashlib
import pickle
from collections import OrderedDict

import numpy as np

from ...errors import Problem, UnsupportedModelError
from ..cse import forget_ahead
from ...ir import Graph, Node
from ..netlist import Netlist
from ..ports import activation_inputs, entry_type
from .base import LOWER, Const
from . import elementwise, linear, movement, pooling, quantize, tables  # noqa: F401  (registration)

__all__ = ["LOWER", "node_netlist", "node_key", "clear_cache", "searching_ahead"]

#: node content -> its netlist, shared by the Verilog writer and the estimator (an estimate
#: after write_verilog, or a write after an estimate, lowers nothing again); least recently
#: used netlists are dropped beyond MAX_CACHED_CELLS cells in all
_NETLISTS: OrderedDict = OrderedDict()
MAX_CACHED_CELLS = 4_000_000


def node_key(g: Graph, node: Node) -> bytes:
    """A digest of everything a node's netlist depends on."""
    inputs = [(g.tensors[t].shape, entry_type(g, t) if t in g.inputs else g.tensors[t].type,
               None if g.tensors[t].value is None else np.asarray(g.tensors[t].value).tobytes(),
               g.tensors[t].carried_elements)
              for t in node.inputs]
    outputs = [(g.tensors[t].shape, g.tensors[t].type) for t in node.outputs]
    payload = (node.op, node.attrs, inputs, outputs)
    return hashlib.sha256(pickle.dumps(payload, protocol=4)).digest()


def clear_cache() -> None:
    """Forget cached netlists (to time a lowering from cold)."""
    _NETLISTS.clear()


def node_netlist(g: Graph, node: Node, name: str) -> Netlist:
    """The netlist of one node, module ``name``: ports ``in<k>`` (activation inputs) and
    ``out<k>``.  Netlists are cached by content; callers read them and never change them."""
    key = node_key(g, node)
    if key in _NETLISTS:
        _NETLISTS.move_to_end(key)
    else:
        _NETLISTS[key] = _lower_without_gc(g, node)
        cells = sum(len(n.cells) for n in _NETLISTS.values())
        while cells > MAX_CACHED_CELLS and len(_NETLISTS) > 1:
            cells -= len(_NETLISTS.popitem(last=False)[1].cells)
    net = copy.copy(_NETLISTS[key])          # shares the cells; only the module name differs
    net.name = name
    return net


@contextlib.contextmanager
def searching_ahead(g: Graph, nodes):
    """Within this block, ``nodes`` are lowered with the common-subexpression searches of
    their Dense layers (not cached yet) started at once in the background: each layer's
    search is independent of the others' netlists, so later layers are searched while Python
    builds the cells of earlier ones.  Results nobody claimed are dropped on leaving."""
    try:
        for node in nodes:
            if node.op == "Dense" and node_key(g, node) not in _NETLISTS:
                linear.search_dense_ahead(g, node)
        yield
    finally:
        forget_ahead()


def _lower_without_gc(g: Graph, node: Node) -> Netlist:
    """:func:`_lower` with the cyclic garbage collector paused: a large layer creates
    hundreds of thousands of wires and cells (none in a reference cycle), and the collections
    they triggered, each walking every object alive, took half the time of building them."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _lower(g, node)
    finally:
        if paused:
            gc.enable()


def _lower(g: Graph, node: Node) -> Netlist:
    if node.op not in LOWER:
        raise UnsupportedModelError([Problem(node.name, node.op, "the Verilog backend cannot lower it")])
    net = Netlist(node.name)
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
