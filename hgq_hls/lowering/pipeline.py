"""The top module: which signal carries each tensor at each pipeline stage.

With ``pipeline="layer"`` there is one stage per layer: a layer is an arithmetic node (Dense,
Conv, pooling, Softmax, sums and products of signals) with the casts, activations and data
movement around it.  A register goes on a tensor that carries new arithmetic and feeds the
next arithmetic node, and on every graph output.  A node whose inputs arrive at different
stages reads the earlier ones through delay registers, so every path has the same latency.
"""

from __future__ import annotations

from ..errors import ArgumentError
from ..ir import Graph
from ..ir.ops import OPS
from .naming import Namer
from .ports import activation_inputs, entry_type

PIPELINES = ("layer", "none")


def is_arithmetic(g: Graph, node) -> bool:
    """Does ``node`` start a new pipeline stage's worth of logic?  (Not a light op, nor an
    offset or scaling by a constant.)"""
    op = OPS[node.op]
    if op.light:
        return False
    return not (op.light_with_constant and any(g.tensors[t].is_const for t in node.inputs))


def bus_bits(t) -> int:
    """Bits per element on a bus (a width-0 type still takes one, tied to 0)."""
    return max(t.width, 1)


class TopPlan:
    """Signals, registers and instances of the top module."""

    def __init__(self, g: Graph, pipeline: str, names: Namer, modules: dict[str, str]):
        if pipeline not in PIPELINES:
            raise ArgumentError("pipeline", f"{pipeline!r}: choose one of {PIPELINES}")
        self.g, self.names = g, names
        self.wires, self.regs, self.instances = [], [], []
        self.signals: dict[str, dict[int, str]] = {}
        fresh = {t: False for t in g.inputs}       # carries arithmetic not yet registered
        consumers: dict[str, list] = {}
        for node in g.nodes.values():
            for t in node.inputs:
                consumers.setdefault(t, []).append(node)
        for t in g.inputs:
            self.signals[t] = {0: names(t)}
        for node in g.topological():
            acts = activation_inputs(g, node)
            stage = max((max(self.signals[t]) for t in acts), default=0)
            ports = [(f"in{k}", self.at(t, stage)) for k, t in enumerate(acts)]
            for k, t in enumerate(node.outputs):
                fresh[t] = is_arithmetic(g, node) or any(fresh[i] for i in acts)
                feeds_arithmetic = any(is_arithmetic(g, c) for c in consumers.get(t, []))
                registered = pipeline == "layer" and (t in g.outputs or (fresh[t] and feeds_arithmetic))
                comb = f"c_{names(t)}"
                self.wires.append(dict(name=comb, width=self.width(t)))
                ports.append((f"out{k}", comb))
                if registered:
                    reg = f"r_{names(t)}"
                    self.regs.append(dict(name=reg, width=self.width(t), source=comb, tensor=t, kind="output",
                                          why=f"{node.name} output, stage {stage + 1}"))
                    self.signals[t] = {stage + 1: reg}
                    fresh[t] = False
                else:
                    self.signals[t] = {stage: comb}
            self.instances.append(dict(module=modules[node.name], instance=f"u_{modules[node.name]}",
                                       ports=ports))
        self.latency = max((max(self.signals[t]) for t in g.outputs), default=0)
        self.outputs = {t: self.at(t, self.latency) for t in g.outputs}

    def width(self, t: str) -> int:
        """Bus width of tensor ``t``."""
        tensor = self.g.tensors[t]
        n = 1
        for d in tensor.shape:
            n *= d
        return n * bus_bits(entry_type(self.g, t))

    def at(self, t: str, stage: int) -> str:
        """The signal holding tensor ``t`` at ``stage``, adding delay registers as needed."""
        have = self.signals[t]
        last = max(have)
        while last < stage:
            reg = f"d_{self.names(t)}_{last + 1}"
            self.regs.append(dict(name=reg, width=self.width(t), source=have[last], tensor=t, kind="delay",
                                  why=f"{t} delayed to stage {last + 1}"))
            have[last + 1] = reg
            last += 1
        return have[stage] if stage in have else have[last]
