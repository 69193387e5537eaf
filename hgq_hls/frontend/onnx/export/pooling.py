"""QONNX exporters of MaxPool and AveragePool."""

from __future__ import annotations

import numpy as np

from ....errors import Problem
from ....fixed import from_mantissa
from .base import exporter


@exporter("MaxPool")
def max_pool(w, node):
    a = node.attrs
    w.result(node, lambda out: w.node("MaxPool", [node.inputs[0]], out, name=node.name,
                                      kernel_shape=list(a["kernel_shape"]), strides=list(a["strides"]),
                                      pads=list(a["pads"]), dilations=list(a["dilations"])))


def _scale_values(w, name: str) -> np.ndarray:
    tensor = w.g.tensors[name]
    return (np.asarray(tensor.value, dtype=np.float64) if tensor.type is None
            else from_mantissa(tensor.value, tensor.type.frac))


@exporter("AveragePool")
def average_pool(w, node):
    """A mean is ONNX's AveragePool; a sum over a whole row (an imported ReduceSum: scale 1,
    the window the entire input) is ReduceSum.  Any other scale has no ONNX spelling."""
    a = node.attrs
    scale = w.g.tensors[node.inputs[1]]
    if scale.declared:
        w.problems.append(Problem(node.name, node.op, "its divisor has a declared type (a default_type "
                                  "rounded 1/n), which ONNX's AveragePool cannot express"))
        return
    values = _scale_values(w, node.inputs[1])
    spatial = tuple(w.g.tensors[node.inputs[0]].shape[1:])
    whole = tuple(a["kernel_shape"]) == spatial and not any(a["pads"])
    if values.size == 1 and float(values) == 1.0 and whole:
        axes = w.init(f"{node.name}_axes", np.arange(2, 2 + len(spatial), dtype=np.int64))
        w.result(node, lambda out: w.node("ReduceSum", [node.inputs[0], axes], out, name=node.name, keepdims=1))
        return
    # a mean's scale is 1/n as the importer typed it (rounded when n is no power of two)
    if values.size == 1 and abs(float(values) * int(np.prod(a["kernel_shape"])) - 1.0) > 1e-6:
        w.problems.append(Problem(node.name, node.op, f"a pooled sum times {float(values)} is neither a mean "
                                  "nor a sum over the whole input: ONNX has no op for it"))
        return
    # one divisor everywhere: padding counts (or there is none); one per position: it does not
    include = int(values.size == 1)
    w.result(node, lambda out: w.node("AveragePool", [node.inputs[0]], out, name=node.name,
                                      kernel_shape=list(a["kernel_shape"]), strides=list(a["strides"]),
                                      pads=list(a["pads"]), count_include_pad=include))
