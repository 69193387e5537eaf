"""QONNX exporters of data movement (Identity, Reshape, Transpose, Slice, Concat, Pad)."""

from __future__ import annotations

import numpy as np

from .base import exporter


@exporter("Identity")
def identity(w, node):
    w.node("Identity", [w.arg(node.inputs[0])], node.outputs[0], name=node.name)


@exporter("Reshape")
def reshape(w, node):
    shape = w.init(f"{node.name}_shape", np.array([0, *node.attrs["shape"]], dtype=np.int64))
    w.result(node, lambda out: w.node("Reshape", [node.inputs[0], shape], out, name=node.name))


@exporter("Transpose")
def transpose(w, node):
    perm = [0] + [p + 1 for p in node.attrs["perm"]]
    w.result(node, lambda out: w.node("Transpose", [node.inputs[0]], out, name=node.name, perm=perm))


@exporter("Slice")
def slice_(w, node):
    a, shape = node.attrs, w.g.tensors[node.inputs[0]].shape
    # ends past the first element of a negative step: -(dim + 1), which ONNX reads as "before 0"
    ends = [start + step * size if start + step * size >= 0 else -(dim + 1)
            for start, step, size, dim in zip(a["starts"], a["steps"], a["shape"], shape)]
    args = [w.init(f"{node.name}_{what}", np.array(v, dtype=np.int64))
            for what, v in (("starts", a["starts"]), ("ends", ends), ("axes", range(1, len(shape) + 1)),
                            ("steps", a["steps"]))]
    w.result(node, lambda out: w.node("Slice", [node.inputs[0], *args], out, name=node.name))


@exporter("Concat")
def concat(w, node):
    args = []
    for t in node.inputs:
        arg = w.arg(t)
        if w.g.tensors[t].is_const:            # a constant is per sample: give it its batch axis of 1
            axes = w.init(f"{arg}_batch_axis", np.array([0], dtype=np.int64))
            arg = w.node("Unsqueeze", [arg, axes], w.fresh(f"{arg}_batch"))
        args.append(arg)
    w.result(node, lambda out: w.node("Concat", args, out, name=node.name, axis=node.attrs["axis"] + 1))


@exporter("Pad")
def pad(w, node):
    pads = list(node.attrs["pads"])
    n = len(pads) // 2
    onnx_pads = w.init(f"{node.name}_pads", np.array([0, *pads[:n], 0, *pads[n:]], dtype=np.int64))
    args = [node.inputs[0], onnx_pads, w.arg(node.inputs[1])]
    w.result(node, lambda out: w.node("Pad", args, out, name=node.name, mode="constant"))
