"""What a layer template sees: C names and types of a node's tensors, and the project's typedefs.

A template never derives a width: every type it names is a typedef registered here, taken
from the graph (tensor types, the sum types precision inference chose) or from the layer's
HLS plan (:mod:`hgq_hls.lowering.hls_plan`: product and accumulator types).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...fixed import FixedType
from ...ir import Graph, Node
from ...lowering.hls_plan import c_fixed_type
from ...lowering.naming import Namer

@dataclass
class View:
    """One tensor as a layer template uses it."""

    name: str          # the C array
    type: str          # its typedef
    fixed: FixedType   # the declared C type
    shape: tuple
    is_const: bool

    @property
    def size(self) -> int:
        """Number of elements (per sample for activations)."""
        return int(np.prod(self.shape, dtype=np.int64))


class ProjectTypes:
    """The typedefs of a project (``defines.h``) and the C names of tensors and nodes."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.names = Namer()
        self.functions = Namer(prefix="layer_")
        self.typedefs: dict[str, FixedType] = {}
        self.port_types: dict[str, FixedType] = {}

    def typedef(self, name: str, t: FixedType) -> str:
        """Register ``typedef <t> <name>`` and return ``name``."""
        self.typedefs[name] = c_fixed_type(t)
        return name

    def view(self, tensor_name: str) -> View:
        """The C array, typedef and shape of a tensor."""
        tensor = self.graph.tensors[tensor_name]
        name = self.names(tensor_name)
        t = tensor.type if tensor.type is not None else self.port_types[tensor_name]
        return View(name, self.typedef(f"{name}_t", t), c_fixed_type(t), tuple(tensor.shape),
                    tensor.is_const)


class LayerContext:
    """The names and types one node's template is rendered with."""

    def __init__(self, node: Node, types: ProjectTypes, reuse_factor: int):
        self.node = node
        self.types = types
        self.reuse_factor = reuse_factor
        self.fn = types.functions(node.name)
        self.ins = [types.view(name) for name in node.inputs]
        self.outs = [types.view(name) for name in node.outputs]
        self.tables: list[dict] = []

    def typedef(self, suffix: str, t: FixedType) -> str:
        """A typedef private to this node, e.g. its accumulator: ``<fn>_<suffix>``."""
        return self.types.typedef(f"{self.fn}_{suffix}", t)

    def table(self, key: str, in_t: FixedType, out_t: FixedType, values) -> dict:
        """A lookup table of this node: index type, entry type and its constant array."""
        entry = dict(in_t=self.typedef(f"{key}_in_t", in_t), out_t=self.typedef(f"{key}_out_t", out_t),
                     name=f"rom_{self.fn[len('layer_'):]}_{key}", values=values, out_fixed=out_t)
        self.tables.append(entry)
        return entry

    def base(self) -> dict:
        """Keys every layer template gets."""
        # a tensor read twice (Concat of x with itself, Add(x, x)) is one parameter, as the call
        # passes it once
        args = list({v.name: v for v in self.ins if not v.is_const}.values())
        return dict(fn=self.fn, node=self.node, ins=self.ins, outs=self.outs, args=args, y=self.outs[0])
