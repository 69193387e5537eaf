"""ImportContext: what a handler sees while the ONNX graph is translated into the IR."""

from __future__ import annotations

import numpy as np
from onnx import helper

from ...ir import Graph, Node, Tensor
from ...ir.ops import OPS
from .handlers.base import Unsupported


class ImportContext:
    """Holds the graph being built, the constants, and each tensor's per-sample shape."""

    def __init__(self, graph: Graph, opset_imports=()):
        self.graph = graph
        #: the model's opset imports (QONNX op semantics depend on their domain's version)
        self.opset_imports = list(opset_imports)
        #: QuantizeLinear output -> its type, so the matching DequantizeLinear can check it
        self.qdq_types = {}
        #: ONNX tensor -> its batch axis, where not 0 (its IR tensor is batch-first: batch_layout.py)
        self.batch_axes: dict[str, int] = {}

    # ---- reading ---------------------------------------------------------------------------
    def const(self, name: str) -> np.ndarray | None:
        """The value of a constant tensor (float64 or integer), or None for activations."""
        if not name:
            return None
        t = self.graph.tensors.get(name)
        return None if t is None or t.value is None else t.value

    def require_const(self, node, index: int, what: str) -> np.ndarray:
        """Input ``index`` of ``node`` as a constant, or an Unsupported error naming it."""
        value = self.const(node.input[index]) if index < len(node.input) else None
        if value is None:
            raise Unsupported(f"{what} (input {index}) must be a constant initializer")
        return value

    def shape(self, name: str) -> tuple:
        """Per-sample shape of an activation tensor."""
        return self.graph.tensors[name].shape

    @staticmethod
    def attrs(node) -> dict:
        """The ONNX node's attributes as Python values."""
        return {a.name: helper.get_attribute_value(a) for a in node.attribute}

    # ---- writing ---------------------------------------------------------------------------
    def add_const(self, name: str, value) -> str:
        """Add a float constant (an initializer, a folded value) and return its name."""
        value = np.asarray(value)
        if value.dtype.kind == "f":
            value = value.astype(np.float64)
        self.graph.add_tensor(Tensor(name, tuple(value.shape), value=value))
        return name

    def new_const(self, base: str, value, like: str | None = None) -> str:
        """Add a constant under a fresh name derived from ``base``.

        With ``like``, the new constant is a rearrangement of constant ``like`` (a transpose,
        a reshape) and keeps its type: the values are mantissas of that type.
        """
        name = self.add_const(self.graph.unique_name(base), value)
        if like is not None:
            source, target = self.graph.tensors[like], self.graph.tensors[name]
            target.type, target.declared = source.type, source.declared
        return name

    def add(self, op: str, inputs: list[str], outputs: list[str], name: str, **attrs) -> Node:
        """Add an IR node and its output tensors (shapes from the op's shape rule)."""
        node = Node(self.graph.unique_name(name) if name in self.graph.nodes else name,
                    op, list(inputs), list(outputs), attrs)
        shapes = OPS[op].shape(node, [self.graph.tensors[i].shape for i in inputs])
        for out, shape in zip(outputs, shapes):
            self.graph.add_tensor(Tensor(out, tuple(int(d) for d in shape)))
        return self.graph.add_node(node)

    def temp(self, base: str) -> str:
        """A fresh intermediate tensor name."""
        return self.graph.unique_name(base)
