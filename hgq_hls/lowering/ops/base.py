"""The lowering registry and what every lowering works with: constants, operand arrays, trees."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...registry import registrar
from ..netlist import Netlist

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


def balanced_tree(values: list, combine):
    """Combine ``values`` pairwise, level by level: a tree of depth ceil(log2(n))."""
    while len(values) > 1:
        values = [combine(a, b) for a, b in zip(values[0::2], values[1::2])] + values[len(values) // 2 * 2:]
    return values[0]
