"""QONNX exporters of Quantize as a QONNX Quant, BipolarQuant, Threshold as a MultiThreshold."""

from __future__ import annotations

import math

import numpy as np

from ....errors import Problem
from ..builder import QONNX_DOMAIN
from .base import exporter


@exporter("Quantize")
def quantize(w, node):
    w.quant(node.inputs[0], node.attrs["type"], node.outputs[0], node.name, name=node.name)


@exporter("Bipolar")
def bipolar(w, node):
    scale = w.init(f"{node.name}_scale", np.float32(math.ldexp(1.0, -node.attrs["frac"])))
    w.node("BipolarQuant", [node.inputs[0], scale], node.outputs[0], name=node.name, domain=QONNX_DOMAIN)


def _exact_float32(values: np.ndarray) -> bool:
    return bool(np.array_equal(values.astype(np.float32).astype(np.float64), values))


@exporter("Threshold")
def threshold(w, node):
    """A qonnx/FINN MultiThreshold (channels on axis 1), then the per-channel step and base
    when they differ between channels (MultiThreshold's out_scale and out_bias are scalars)."""
    a, x = node.attrs, node.inputs[0]
    shape = tuple(w.g.tensors[x].shape)
    th = np.asarray(a["thresholds"], dtype=object)
    pshape, levels = th.shape[:-1], th.shape[-1]
    pshape = (1,) * (len(shape) - len(pshape)) + tuple(pshape)
    if any(d != 1 for d in pshape[1:]):
        w.problems.append(Problem(node.name, node.op, "thresholds that differ along a spatial axis have no "
                                  "MultiThreshold spelling (it takes one row per channel)"))
        return
    rows = np.array([float(int(v)) for v in th.reshape(-1)], dtype=np.float64).reshape(pshape[0], levels)
    rows = np.ldexp(rows, -a["in_frac"])
    lsb = math.ldexp(1.0, -a["type"].frac)
    base = np.broadcast_to(np.asarray(a["base"], dtype=np.float64), pshape).reshape(-1) * lsb
    step = np.broadcast_to(np.asarray(a["step"], dtype=np.float64), pshape).reshape(-1) * lsb
    if not (_exact_float32(rows) and _exact_float32(base) and _exact_float32(step)):
        w.problems.append(Problem(node.name, node.op, "its thresholds or levels need more than float32"))
        return
    layout = "N" + "C" + "HWD"[:len(shape) - 1] if len(shape) > 1 else "NC"
    uniform = np.all(base == base[0]) and np.all(step == step[0])
    t = a["type"]
    out_dtype = "FLOAT32" if t.frac > 0 or not uniform else f"{'INT' if t.signed else 'UINT'}{max(t.width, 1)}"
    inputs = [x, w.init(f"{node.name}_thresholds", rows.astype(np.float32))]
    if uniform:
        w.node("MultiThreshold", inputs, node.outputs[0], name=node.name, domain=QONNX_DOMAIN,
               out_dtype=out_dtype, out_scale=float(step[0]), out_bias=float(base[0]), data_layout=layout)
        return
    count = w.node("MultiThreshold", inputs, w.fresh(f"{node.name}_count"), name=node.name, domain=QONNX_DOMAIN,
                   out_dtype=f"UINT{max(levels.bit_length(), 1)}", data_layout=layout)
    per_channel = (-1,) + (1,) * (len(shape) - 1)
    scaled = w.node("Mul", [count, w.init(f"{node.name}_step", step.astype(np.float32).reshape(per_channel))],
                    w.fresh(f"{node.name}_scaled"))
    w.node("Add", [scaled, w.init(f"{node.name}_base", base.astype(np.float32).reshape(per_channel))],
           node.outputs[0])
