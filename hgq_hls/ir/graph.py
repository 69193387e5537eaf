"""Graph: the typed dataflow graph every part of hgq_hls reads."""

from __future__ import annotations

import copy
import itertools

import networkx as nx

from ..errors import InvalidGraphError
from .node import Node
from .ops import OPS
from .tensor import Tensor


class Graph:
    """Nodes over a ``networkx.DiGraph`` (edges carry tensor names) plus a tensor table.

    ``inputs`` and ``outputs`` name the graph's input and output tensors.  Node order in
    :meth:`topological` is deterministic (insertion order breaks ties).  The order and the
    producer/consumer maps are computed once per structure: adding or removing a node, or
    assigning a node's ``inputs``/``outputs``, invalidates them (see :meth:`structure_changed`).
    """

    def __init__(self, name: str = "model"):
        self.name = name
        self.tensors: dict[str, Tensor] = {}
        self.nodes: dict[str, Node] = {}
        self.inputs: list[str] = []
        self.outputs: list[str] = []
        #: the model file this graph was imported from (writers refuse to overwrite its folder)
        self.source = None
        self._cache = None

    @property
    def dag(self) -> nx.DiGraph:
        """The node graph (edges labelled with tensor names), built from the current nodes.

        Built on demand, so passes may edit ``node.inputs``/``node.outputs`` directly.
        """
        dag = nx.DiGraph()
        writer = {}
        for k, node in enumerate(self.nodes.values()):
            dag.add_node(node.name, order=k)
            for t in node.outputs:
                writer[t] = node.name
        for node in self.nodes.values():
            for t in node.inputs:
                if t in writer:
                    dag.add_edge(writer[t], node.name, tensor=t)
        return dag

    # ---- the structure cache --------------------------------------------------------------
    def structure_changed(self) -> None:
        """Forget the cached order and producer/consumer maps (called on every mutation)."""
        self._cache = None

    def _structure(self) -> dict:
        cache = getattr(self, "_cache", None)
        if cache is None:
            dag = self.dag
            order = [self.nodes[n] for n in nx.lexicographical_topological_sort(
                dag, key=lambda n: dag.nodes[n]["order"])]
            producer, consumers = {}, {}
            for node in self.nodes.values():
                for t in node.outputs:
                    producer.setdefault(t, node)
            for node in order:
                for t in dict.fromkeys(node.inputs):
                    consumers.setdefault(t, []).append(node)
            cache = self._cache = dict(order=order, producer=producer, consumers=consumers)
        return cache

    # ---- building -------------------------------------------------------------------------
    def add_tensor(self, tensor: Tensor) -> Tensor:
        """Add (or replace) a tensor entry."""
        self.tensors[tensor.name] = tensor
        return tensor

    def add_node(self, node: Node) -> Node:
        """Add a node; its input and output tensors must be added too (before validate())."""
        if node.name in self.nodes:
            raise InvalidGraphError(f"duplicate node name {node.name!r}")
        self.nodes[node.name] = node
        object.__setattr__(node, "_graph", self)
        self.structure_changed()
        return node

    def remove_node(self, name: str) -> Node:
        """Remove a node (its tensors stay; see :meth:`prune`)."""
        node = self.nodes.pop(name)
        node.__dict__.pop("_graph", None)
        self.structure_changed()
        return node

    def rewire(self, node: Node, old: str, new: str) -> None:
        """Make ``node`` read tensor ``new`` where it read ``old``."""
        node.inputs = [new if t == old else t for t in node.inputs]

    def bypass(self, node: Node) -> None:
        """Remove a one-input one-output node, letting its consumers read its input."""
        (src,), (dst,) = node.inputs[:1], node.outputs
        self.remove_node(node.name)
        producer = self.producer(src)
        if dst in self.outputs and producer is not None and src not in self.outputs \
                and not self.consumers(src):
            # keep the graph's output name: the producer now writes it
            producer.outputs = [dst if t == src else t for t in producer.outputs]
            self.tensors[dst].shape = self.tensors[src].shape
        else:
            for consumer in self.consumers(dst):
                self.rewire(consumer, dst, src)
            self.outputs = [src if t == dst else t for t in self.outputs]
        self.prune()

    def prune(self) -> None:
        """Drop tensors no node reads or writes (graph inputs and outputs stay)."""
        used = set(self.inputs) | set(self.outputs)
        for node in self.nodes.values():
            used.update(node.inputs)
            used.update(node.outputs)
        for name in [t for t in self.tensors if t not in used]:
            del self.tensors[name]

    def unique_name(self, base: str) -> str:
        """A tensor/node name not used yet, derived from ``base``."""
        if base not in self.tensors and base not in self.nodes:
            return base
        for k in itertools.count(1):
            name = f"{base}_{k}"
            if name not in self.tensors and name not in self.nodes:
                return name
        raise AssertionError("unreachable")

    # ---- queries --------------------------------------------------------------------------
    def producer(self, tensor: str) -> Node | None:
        """The node writing ``tensor`` (None for graph inputs and constants)."""
        return self._structure()["producer"].get(tensor)

    def consumers(self, tensor: str) -> list[Node]:
        """The nodes reading ``tensor``, in graph order."""
        return list(self._structure()["consumers"].get(tensor, ()))

    def casts_output(self, tensor: str) -> bool:
        """True when ``tensor`` has a declared type that its producer does not compute itself
        (any op but a quantizer typed by its attribute): the producer's exact result is cast
        to that type."""
        t, node = self.tensors[tensor], self.producer(tensor)
        return t.declared and t.type is not None and node is not None and not OPS[node.op].typed_by_attr

    def topological(self) -> list[Node]:
        """Nodes in a deterministic topological order."""
        return list(self._structure()["order"])

    @property
    def is_typed(self) -> bool:
        """True once any tensor carries a fixed-point type or any node quantizes.

        A QONNX graph whose only quantizers are on activations is typed from the start:
        precision inference types everything downstream of its quantizers.
        """
        from .ops import OPS

        return (any(t.type is not None for t in self.tensors.values())
                or any(OPS[n.op].declares_type for n in self.nodes.values() if n.op in OPS))

    def copy(self) -> "Graph":
        """A deep copy (passes never modify the graph a user holds)."""
        return copy.deepcopy(self)

    # ---- checking and printing ------------------------------------------------------------
    def validate(self) -> "Graph":
        """Raise InvalidGraphError naming every broken invariant; return self when sound."""
        from .ops import OPS

        problems = []
        written: dict[str, str] = {}
        for node in self.nodes.values():
            if node.op not in OPS:
                problems.append(f"node {node.name!r}: unknown op {node.op!r}")
            for t in node.outputs:
                if t in written:
                    problems.append(f"tensor {t!r} written by {written[t]!r} and {node.name!r}")
                written[t] = node.name
        for node in self.nodes.values():
            for t in node.inputs:
                if t not in self.tensors:
                    problems.append(f"node {node.name!r} reads undefined tensor {t!r}")
                elif t not in written and t not in self.inputs and not self.tensors[t].is_const:
                    problems.append(f"node {node.name!r} reads {t!r}, which nothing writes")
        for t in self.outputs:
            if t not in written and t not in self.inputs:
                problems.append(f"graph output {t!r} is not written by any node")
        if not nx.is_directed_acyclic_graph(self.dag):
            problems.append("the graph has a cycle")
        if self.is_typed:
            for name in written:
                if name in self.tensors and self.tensors[name].type is None:
                    problems.append(f"tensor {name!r} has no type in a typed graph")
        if problems:
            raise InvalidGraphError("invalid graph:\n" + "\n".join(f"  - {p}" for p in problems))
        return self

    def __str__(self) -> str:
        from .printing import format_graph

        return format_graph(self)

    def __repr__(self) -> str:
        return f"Graph({self.name!r}, {len(self.nodes)} nodes, inputs={self.inputs}, outputs={self.outputs})"
