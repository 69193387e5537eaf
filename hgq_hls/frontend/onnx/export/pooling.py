"""QONNX exporters of MaxPool and AveragePool."""

from __future__ import annotations

import numpy as np

from ....errors import Problem
from .base import exporter


@exporter("MaxPool")
def max_pool(w, node):
    a = node.attrs
    w.result(node, lambda out: w.node("MaxPool", [node.inputs[0]], out, name=node.name,
                                      kernel_shape=list(a["kernel_shape"]), strides=list(a["strides"]),
                                      pads=list(a["pads"]), dilations=list(a["dilations"])))


@exporter("AveragePool")
def average_pool(w, node):
    a = node.attrs
    scale = w.g.tensors[node.inputs[1]]
    if scale.declared:
        w.problems.append(Problem(node.name, node.op, "its divisor has a declared type (a default_type "
                                  "rounded 1/n), which ONNX's AveragePool cannot express"))
        return
    # one divisor everywhere: padding counts (or there is none); one per position: it does not
    include = int(np.asarray(scale.value).size == 1)
    w.result(node, lambda out: w.node("AveragePool", [node.inputs[0]], out, name=node.name,
                                      kernel_shape=list(a["kernel_shape"]), strides=list(a["strides"]),
                                      pads=list(a["pads"]), count_include_pad=include))
