"""QONNX exporters of Dense (MatMul or Gemm), Conv and MatMul of two activations."""

from __future__ import annotations

from ....errors import Problem
from .base import exporter


@exporter("Dense")
def dense(w, node):
    x = node.inputs[0]
    args = [x] + [w.const(t) for t in node.inputs[1:]]
    if len(w.g.tensors[x].shape) == 1:
        w.result(node, lambda out: w.node("Gemm", args, out, name=node.name))
    elif len(args) == 2:
        w.result(node, lambda out: w.node("MatMul", args, out, name=node.name))
    else:
        w.problems.append(Problem(node.name, node.op, "a Dense with bias on a rank > 1 input has no "
                                  "single ONNX node (MatMul + Add would import as two nodes)"))


@exporter("Conv")
def conv(w, node):
    a = node.attrs
    wt = w.g.tensors[node.inputs[1]]
    args = [node.inputs[0]] + [w.const(t) for t in node.inputs[1:]]
    w.result(node, lambda out: w.node("Conv", args, out, name=node.name, kernel_shape=list(wt.shape[2:]),
                                      strides=list(a["strides"]), pads=list(a["pads"]),
                                      dilations=list(a["dilations"]), group=a["group"]))


@exporter("MatMul")
def activation_matmul(w, node):
    w.result(node, lambda out: w.node("MatMul", list(node.inputs), out, name=node.name))
