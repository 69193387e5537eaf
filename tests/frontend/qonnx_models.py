"""Small QONNX models built with onnx.helper, for importer and reference tests."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QONNX_DOMAIN = "qonnx.custom_op.general"


class ModelBuilder:
    """Accumulates nodes and initializers; ``quant`` adds a QONNX Quant with its constants."""

    def __init__(self, name="qmodel"):
        self.name, self.nodes, self.inits, self.k = name, [], [], 0

    def const(self, value, base="c") -> str:
        self.k += 1
        name = f"{base}{self.k}"
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op, inputs, domain="", **attrs) -> str:
        self.k += 1
        out = f"{op.lower()}{self.k}"
        self.nodes.append(helper.make_node(op, inputs, [out], name=f"{op}_{self.k}",
                                           domain=domain, **attrs))
        return out

    def quant(self, x, bits, frac, signed=1, narrow=0, mode="ROUND") -> str:
        scale = np.asarray(2.0 ** -np.asarray(frac, dtype=np.float64), dtype=np.float32)
        return self.node("Quant", [x, self.const(scale, "scale"), self.const(np.float32(0), "zp"),
                                   self.const(np.float32(bits), "bits")],
                         domain=QONNX_DOMAIN, signed=signed, narrow=narrow, rounding_mode=mode)

    def build(self, inputs: dict, output: str) -> onnx.ModelProto:
        graph = helper.make_graph(
            self.nodes, self.name,
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(s)) for n, s in inputs.items()],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)], initializer=self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                        helper.make_opsetid(QONNX_DOMAIN, 1)])


def mixed_mlp(seed=0) -> onnx.ModelProto:
    """Quant(x) -> Gemm(Quant W, per-channel scales) -> Quant -> Relu -> Quant -> MatMul -> Quant.

    Every activation quantizer has its own width, rounding mode and narrow flag.
    """
    rng = np.random.default_rng(seed)
    b = ModelBuilder("mixed_mlp")
    x = b.quant("x", 8, 4, mode="ROUND")
    w1 = b.quant(b.const(rng.normal(0, 0.7, (6, 5)).astype(np.float32), "w"), 5,
                 np.array([[3, 4, 2, 5, 3]]), narrow=1)
    bias = b.quant(b.const(rng.normal(0, 0.3, 5).astype(np.float32), "b"), 10, 8)
    h = b.node("Gemm", [x, w1, bias])
    h = b.quant(h, 9, 4, mode="FLOOR")
    h = b.node("Relu", [h])
    h = b.quant(h, 6, 3, signed=0, mode="HALF_UP")
    w2 = b.quant(b.const(rng.normal(0, 0.5, (5, 3)).astype(np.float32), "w"), 4, 3)
    y = b.node("MatMul", [h, w2])
    y = b.quant(y, 7, 4, mode="DOWN", narrow=1)
    return b.build({"x": ["N", 6]}, y)
