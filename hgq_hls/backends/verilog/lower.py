"""Lowering: each IR node becomes a :class:`Netlist` (fully unrolled, every width exact).

One function per op in a registry.  Activations are numpy object arrays of
:class:`Operand` (per-sample shape); constants are :class:`Const` mantissa arrays.  A
lowering computes the exact result; the module's output port casts it to the tensor's type,
as the reference does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import Problem, UnsupportedModelError
from ...ir import Graph, Node
from ...registry import registrar
from ..ports import activation_inputs, entry_type
from .netlist import Netlist

#: op name -> fn(net, node, inputs, graph) -> list of output operand arrays
LOWER = {}


lowering = registrar(LOWER, "the netlist lowering")


@dataclass
class Const:
    """A constant tensor: integer mantissas on the grid ``2**-frac``."""

    m: np.ndarray
    frac: int

    @property
    def shape(self) -> tuple:
        """Its shape."""
        return self.m.shape


def operands(net: Netlist, v, shape) -> np.ndarray:
    """``v`` broadcast to ``shape`` as an object array of operands (constants become wires)."""
    if isinstance(v, Const):
        m = np.broadcast_to(v.m, shape)
        out = np.empty(shape, dtype=object)
        for idx in np.ndindex(*shape):
            out[idx] = net.const(int(m[idx]), v.frac)
        return out
    return np.broadcast_to(v, shape)


def elementwise(fn, *arrays) -> np.ndarray:
    """Apply ``fn`` to aligned elements of operand arrays of one shape."""
    out = np.empty(arrays[0].shape, dtype=object)
    for idx in np.ndindex(*out.shape):
        out[idx] = fn(*(a[idx] for a in arrays))
    return out


def node_netlist(g: Graph, node: Node, name: str) -> Netlist:
    """The netlist of one node: ports ``in<k>`` (activation inputs) and ``out<k>``."""
    if node.op not in LOWER:
        raise UnsupportedModelError([Problem(node.name, node.op, "the Verilog backend cannot lower it")])
    net = Netlist(name)
    values = {}
    for k, t in enumerate(activation_inputs(g, node)):
        shape = tuple(g.tensors[t].shape)
        ops = net.input(f"in{k}", int(np.prod(shape, dtype=np.int64)), entry_type(g, t))
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


# ---- data movement: wiring only ---------------------------------------------------------
@lowering("Quantize", "Identity")
def passthrough(net, node, ins, g):
    return [ins[0]]


@lowering("Reshape")
def reshape(net, node, ins, g):
    return [ins[0].reshape(tuple(node.attrs["shape"]))]


@lowering("Transpose")
def transpose(net, node, ins, g):
    return [np.transpose(ins[0], node.attrs["perm"])]


@lowering("Concat")
def concat(net, node, ins, g):
    shapes = [v.shape for v in ins]
    return [np.concatenate([operands(net, v, s) for v, s in zip(ins, shapes)], axis=node.attrs["axis"])]


@lowering("Pad")
def pad(net, node, ins, g):
    x, value = ins
    n, pads = x.ndim, node.attrs["pads"]
    fill = net.const(int(np.asarray(value.m).reshape(-1)[0]), value.frac)
    out = np.empty(tuple(d + pads[k] + pads[k + n] for k, d in enumerate(x.shape)), dtype=object)
    out.fill(fill)
    out[tuple(slice(pads[k], pads[k] + x.shape[k]) for k in range(n))] = x
    return [out]


# ---- elementwise arithmetic --------------------------------------------------------------
def _shape(node, g):
    return tuple(g.tensors[node.outputs[0]].shape)


@lowering("Add", "Sub")
def add_sub(net, node, ins, g):
    shape, sign = _shape(node, g), (1 if node.op == "Add" else -1)
    a, b = (operands(net, v, shape) for v in ins)
    return [elementwise(lambda x, y: net.sum([(1, x), (sign, y)]), a, b)]


@lowering("Mul")
def mul(net, node, ins, g):
    shape = _shape(node, g)
    a, b = ins
    if isinstance(a, Const):
        a, b = b, a
    if isinstance(b, Const):
        m = np.broadcast_to(b.m, shape)
        x = operands(net, a, shape)
        out = np.empty(shape, dtype=object)
        for idx in np.ndindex(*shape):
            out[idx] = net.scale(x[idx], int(m[idx]), b.frac)
        return [out]
    return [elementwise(net.multiply, operands(net, a, shape), operands(net, b, shape))]


@lowering("Relu")
def relu(net, node, ins, g):
    return [elementwise(net.relu, ins[0])]


@lowering("PRelu")
def prelu(net, node, ins, g):
    x, slope = ins
    m = np.broadcast_to(slope.m, x.shape)
    out = np.empty(x.shape, dtype=object)
    for idx in np.ndindex(*x.shape):
        out[idx] = net.select(x[idx], x[idx], net.scale(x[idx], int(m[idx]), slope.frac))
    return [out]


@lowering("Clip")
def clip(net, node, ins, g):
    x, rest = ins[0], iter(ins[1:])
    has_lo, has_hi = node.attrs["bounds"]
    if has_lo:
        lo = operands(net, next(rest), x.shape)
        x = elementwise(lambda a, b: net.extreme(a, b, "max"), x, lo)
    if has_hi:
        hi = operands(net, next(rest), x.shape)
        x = elementwise(lambda a, b: net.extreme(a, b, "min"), x, hi)
    return [x]


@lowering("Bipolar")
def bipolar(net, node, ins, g):
    frac = node.attrs["frac"]
    return [elementwise(lambda v: net.select(v, net.const(1, frac), net.const(-1, frac)), ins[0])]


from . import lower_linear, lower_tables  # noqa: E402,F401  (registration)
