"""Node: one operation of the dataflow graph."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Node:
    """An operation ``op`` (see :mod:`hgq_hls.ir.ops`) reading and writing named tensors.

    Assigning ``inputs`` or ``outputs`` tells the owning graph that its structure changed
    (its cached order and producer/consumer maps are rebuilt on the next query); rewrite
    them by assignment, not by editing the lists in place.
    """

    name: str
    op: str
    inputs: list[str]
    outputs: list[str]
    attrs: dict[str, Any] = field(default_factory=dict)

    def __setattr__(self, key, value):
        object.__setattr__(self, key, value)
        if key in ("inputs", "outputs", "name"):
            graph = self.__dict__.get("_graph")
            if graph is not None:
                graph.structure_changed()

    def __repr__(self) -> str:
        return f"Node({self.name!r}, {self.op}, {self.inputs} -> {self.outputs})"
