"""QONNX exporters of elementwise ops (Relu, Neg, Add, Sub, Mul, PRelu, Clip)."""

from __future__ import annotations

from .base import exporter


@exporter("Relu", "Neg", "Add", "Sub", "Mul", "PRelu")
def elementwise(w, node):
    args = [w.arg(t) for t in node.inputs]
    w.result(node, lambda out: w.node(node.op, args, out, name=node.name))


@exporter("Clip")
def clip(w, node):
    bounds = node.inputs[1:]
    if all(w.g.tensors[b].is_const and w.g.tensors[b].value.size == 1 for b in bounds):
        args, rest = [node.inputs[0]], iter(bounds)
        for present in node.attrs["bounds"]:
            args.append(w.arg(next(rest)) if present else "")
        w.result(node, lambda out: w.node("Clip", args, out, name=node.name))
        return
    # ONNX Clip takes scalar constant bounds only: a bound per element or an activation bound is
    # Max (from below) then Min
    ops = [op for op, present in zip(("Max", "Min"), node.attrs["bounds"]) if present]
    if len(ops) == 1:
        w.result(node, lambda out: w.node(ops[0], [node.inputs[0], w.arg(bounds[0])], out, name=node.name))
        return
    low = w.fresh(f"{node.name}_max")
    w.node("Max", [node.inputs[0], w.arg(bounds[0])], low, name=w.fresh(f"{node.name}_lo"))
    w.result(node, lambda out: w.node("Min", [low, w.arg(bounds[1])], out, name=node.name))
