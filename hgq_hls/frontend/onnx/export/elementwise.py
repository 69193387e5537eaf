"""QONNX exporters of elementwise ops (Relu, Neg, Add, Sub, Mul, PRelu, Clip)."""

from __future__ import annotations

from .base import exporter


@exporter("Relu", "Neg", "Add", "Sub", "Mul", "PRelu")
def elementwise(w, node):
    args = [w.arg(t) for t in node.inputs]
    w.result(node, lambda out: w.node(node.op, args, out, name=node.name))


@exporter("Clip")
def clip(w, node):
    args, rest = [node.inputs[0]], iter(node.inputs[1:])
    for present in node.attrs["bounds"]:
        args.append(w.arg(next(rest)) if present else "")
    w.result(node, lambda out: w.node("Clip", args, out, name=node.name))
