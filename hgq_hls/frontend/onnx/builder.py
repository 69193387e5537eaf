"""ModelBuilder: write small ONNX / QONNX models in a few lines (examples, tests, benchmarks)."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QONNX_DOMAIN = "qonnx.custom_op.general"


class ModelBuilder:
    """Accumulates nodes and initializers; ``quant`` adds a QONNX Quant with its constants.

    >>> b = ModelBuilder("mlp")
    >>> h = b.node("MatMul", [b.quant("x", 8, 4), b.quant(b.const(w), 4, 2)])
    >>> model = b.build({"x": ["N", 16]}, b.quant(h, 10, 4))
    """

    def __init__(self, name="qmodel"):
        self.name, self.nodes, self.inits, self.k = name, [], [], 0

    def const(self, value, base="c") -> str:
        """Add an initializer; returns its name."""
        self.k += 1
        name = f"{base}{self.k}"
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op, inputs, domain="", **attrs) -> str:
        """Add a node with one output; returns the output's name."""
        self.k += 1
        out = f"{op.lower()}{self.k}"
        self.nodes.append(helper.make_node(op, inputs, [out], name=f"{op}_{self.k}",
                                           domain=domain, **attrs))
        return out

    def quant(self, x, bits, frac, signed=1, narrow=0, mode="ROUND") -> str:
        """Add a QONNX Quant of ``x``: ``bits`` wide, scale ``2**-frac`` (array: per channel)."""
        scale = np.asarray(2.0 ** -np.asarray(frac, dtype=np.float64), dtype=np.float32)
        return self.node("Quant", [x, self.const(scale, "scale"), self.const(np.float32(0), "zp"),
                                   self.const(np.float32(bits), "bits")],
                         domain=QONNX_DOMAIN, signed=signed, narrow=narrow, rounding_mode=mode)

    def build(self, inputs: dict, output, qonnx_version: int = 1) -> onnx.ModelProto:
        """The model, with ``inputs`` {name: shape} and float output(s) ``output`` (name or list)."""
        outputs = [output] if isinstance(output, str) else list(output)
        graph = helper.make_graph(
            self.nodes, self.name,
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(s)) for n, s in inputs.items()],
            [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs],
            initializer=self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                        helper.make_opsetid(QONNX_DOMAIN, qonnx_version)])
