"""The firmware's ports: which fixed-point type each graph input enters with."""

from __future__ import annotations

from ..errors import InvalidGraphError, Problem, UnsupportedModelError
from ..fixed import FixedType
from ..inputs import positive_int
from ..ir import Graph, Node


def entry_type(g: Graph, name: str) -> FixedType:
    """The type tensor ``name`` has at the firmware's port: its own, or for an untyped (float)
    graph input the one precision inference recorded (``Tensor.entry_type``)."""
    tensor = g.tensors[name]
    if tensor.type is not None:
        return tensor.type
    if tensor.entry_type is not None:
        return tensor.entry_type
    consumers = g.consumers(name)
    raise UnsupportedModelError([Problem(
        node.name, node.op,
        f"reads the float input {name!r}, which firmware cannot take: pass input_type= to "
        "load_onnx (or quantize the input with one quantizer)"
        + ("; a BipolarQuant needs only the sign, so any signed input_type is exact"
           if node.op == "Bipolar" else "")) for node in consumers])


def activation_inputs(g: Graph, node: Node) -> list[str]:
    """The node's non-constant inputs, each once, in order: a layer's input ports."""
    return [t for t in dict.fromkeys(node.inputs) if not g.tensors[t].is_const]


def check_reuse_factor(reuse_factor) -> None:
    """Raise ArgumentError unless ``reuse_factor`` is a positive integer."""
    positive_int(reuse_factor, "reuse_factor")


def require_fixed_point(g: Graph) -> None:
    """Raise InvalidGraphError unless every tensor but the graph inputs has a fixed-point type."""
    untyped = [n for n, t in g.tensors.items() if t.type is None and n not in g.inputs]
    if untyped:
        raise InvalidGraphError(
            f"the graph has untyped tensors ({', '.join(untyped[:5])}...): firmware needs fixed point; "
            "load the model with input_type= and default_type= (or quantizers in the model)")
