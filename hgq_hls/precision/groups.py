"""Quantizer groups of a float graph and the fixed-point types a width choice gives them.

A *group* is what a mixed-precision search decides at once (AIMET's quantizer group): each
graph input (its activation width), and each Dense/Conv layer (its weight width and the width
of its output activation).  Integer bits are not searched: a weight type's come from the
largest weight, an activation's from the calibration range times ``1 + margin``, so only the
total width (hence the fractional bits) varies.  Types round to nearest-even and saturate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..fixed import FixedType
from ..ir import Graph, Node, Tensor
from ..ir.ops import OPS
from ..passes import compile_graph
from ..reference import predict

#: extra integer headroom for activations beyond the calibration range (documented default)
DEFAULT_MARGIN = 0.25


@dataclass(frozen=True)
class Group:
    """One decision: a graph input (``weight`` None) or a Dense/Conv layer."""

    name: str              # node name (layers) or input tensor name
    output: str            # the activation tensor the group's activation width applies to
    weight: str | None = None
    bias: str | None = None

    @property
    def is_layer(self) -> bool:
        """True for a Dense/Conv group (it has weights)."""
        return self.weight is not None


def find_groups(g: Graph) -> list[Group]:
    """The graph inputs, then every Dense/Conv node in topological order."""
    groups = [Group(name, name) for name in g.inputs]
    for node in g.topological():
        if OPS[node.op].multiply_accumulate:
            groups.append(Group(node.name, node.outputs[0], node.inputs[1],
                                node.inputs[2] if len(node.inputs) > 2 else None))
    return groups


def calibrate(g: Graph, calib) -> dict[str, tuple[float, float]]:
    """(min, max) of every activation of the float graph over the calibration samples."""
    trace = predict(g, calib, trace=True)
    return {name: (float(np.min(v)), float(np.max(v))) for name, v in trace.items()}


def _integer_bits(magnitude: float, signed: bool) -> int:
    """Integer bits (sign included when signed) that hold ``magnitude``."""
    magnitude = max(magnitude, 2.0 ** -24)
    return math.ceil(math.log2(magnitude)) + (1 if signed else 0)


def activation_type(lo: float, hi: float, bits: int, margin: float = DEFAULT_MARGIN) -> FixedType:
    """A ``bits``-wide type for values seen in [lo, hi], with ``margin`` headroom."""
    signed = lo < 0
    magnitude = max(abs(lo), abs(hi)) * (1 + margin)
    return FixedType(signed, bits, _integer_bits(magnitude, signed), "RND_CONV", "SAT")


def weight_type(values: np.ndarray, bits: int) -> FixedType:
    """A signed ``bits``-wide type whose range holds the largest weight (it may saturate by
    one lsb at the positive end, as a symmetric power-of-two range does)."""
    magnitude = float(np.max(np.abs(values))) if np.size(values) else 0.0
    return FixedType(True, bits, _integer_bits(magnitude, True), "RND_CONV", "SAT")


def bias_type(values: np.ndarray, out: FixedType) -> FixedType:
    """Biases on a grid 4 bits finer than the layer's output: their rounding stays negligible."""
    frac = out.frac + 4
    magnitude = float(np.max(np.abs(values))) if np.size(values) else 0.0
    integer = max(_integer_bits(magnitude, True), 1)
    return FixedType(True, max(integer + frac, 2), integer, "RND_CONV", "SAT")


def group_types(g: Graph, group: Group, choice: tuple[int, int], ranges: dict,
                margin: float = DEFAULT_MARGIN) -> dict[str, FixedType]:
    """``{"output": T, "weight": T, "bias": T}`` of a group for ``choice = (weight, activation) bits``."""
    w_bits, a_bits = choice
    lo, hi = ranges[group.output]
    types = {"output": activation_type(lo, hi, a_bits, margin)}
    if group.is_layer:
        types["weight"] = weight_type(g.tensors[group.weight].value, w_bits)
        if group.bias is not None:
            types["bias"] = bias_type(g.tensors[group.bias].value, types["output"])
    return types


def _quantize_after(g: Graph, tensor: str, t: FixedType) -> None:
    """Put a Quantize node of type ``t`` on ``tensor`` (QONNX's form: a Quant after the op)."""
    producer = g.producer(tensor)
    q = Node(g.unique_name(f"Quant_{tensor}"), "Quantize", [], [], {"type": t})
    if producer is None:                       # a graph input keeps its name: its readers move
        out = g.unique_name(f"{tensor}_q")
        for consumer in g.consumers(tensor):
            g.rewire(consumer, tensor, out)
        q.inputs, q.outputs = [tensor], [out]
    else:                                      # a node's output keeps its name: the op writes a raw one
        raw = g.unique_name(f"{tensor}_raw")
        producer.outputs = [raw if o == tensor else o for o in producer.outputs]
        g.add_tensor(Tensor(raw, g.tensors[tensor].shape))
        q.inputs, q.outputs = [raw], [tensor]
    g.add_tensor(Tensor(q.outputs[0], g.tensors[tensor].shape))
    g.add_node(q)


def typed_graph(g: Graph, config: dict[str, tuple[int, int]], ranges: dict,
                margin: float = DEFAULT_MARGIN) -> Graph:
    """The fixed-point graph of the float graph ``g`` with each group's widths from ``config``.

    Activation types become Quantize nodes (a Quant after each layer, one after each input), as
    a QONNX model declares them, so ``hh.save_qonnx`` writes it and ``hh.load_onnx`` reads it
    back node for node; weights and biases become typed constants.
    """
    groups = {grp.name: grp for grp in find_groups(g)}
    missing = [name for name in groups if name not in config]
    if missing:
        raise ValueError(f"no widths given for group(s) {missing}")
    typed, precision = g.copy(), {}
    for name, grp in groups.items():
        types = group_types(g, grp, config[name], ranges, margin)
        _quantize_after(typed, grp.output, types["output"])
        if grp.is_layer:
            precision[name] = {k: v for k, v in types.items() if k != "output"}
    return compile_graph(typed, precision=precision)
