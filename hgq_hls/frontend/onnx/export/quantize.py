"""QONNX exporters of Quantize as a QONNX Quant, BipolarQuant."""

from __future__ import annotations

import math

import numpy as np

from ..builder import QONNX_DOMAIN
from .base import exporter


@exporter("Quantize")
def quantize(w, node):
    w.quant(node.inputs[0], node.attrs["type"], node.outputs[0], node.name, name=node.name)


@exporter("Bipolar")
def bipolar(w, node):
    scale = w.init(f"{node.name}_scale", np.float32(math.ldexp(1.0, -node.attrs["frac"])))
    w.node("BipolarQuant", [node.inputs[0], scale], node.outputs[0], name=node.name, domain=QONNX_DOMAIN)
