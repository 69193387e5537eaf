"""Small QONNX models built with onnx.helper, for importer and reference tests."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from hgq_hls.frontend.onnx.builder import QONNX_DOMAIN, ModelBuilder  # noqa: F401  (re-exported)

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


MODES = ["ROUND", "FLOOR", "DOWN", "HALF_UP", "HALF_DOWN"]


def random_qonnx_model(rng: np.random.Generator, cnn: bool) -> tuple[onnx.ModelProto, dict]:
    """A random QONNX MLP or CNN: every quantizer draws its own width, scale, mode, narrow.

    Returns the model and the input quantizer's (bits, frac) so callers can make ties.
    """
    b = ModelBuilder("random_cnn" if cnn else "random_mlp")

    def act_quant(x):
        signed = int(rng.integers(0, 2))
        return b.quant(x, int(rng.integers(3, 11)), int(rng.integers(0, 6)), signed=signed,
                       narrow=int(signed and rng.integers(0, 2)), mode=str(rng.choice(MODES)))

    def weight(shape, per_channel_axis=None):
        w = b.const(rng.normal(0, 0.6, shape).astype(np.float32), "w")
        if per_channel_axis is None:
            frac = int(rng.integers(1, 6))
        else:
            fshape = [1] * len(shape)
            fshape[per_channel_axis] = shape[per_channel_axis]
            frac = rng.integers(1, 6, fshape)
        return b.quant(w, int(rng.integers(2, 9)), frac, narrow=int(rng.integers(0, 2)),
                       mode=str(rng.choice(MODES)))

    in_bits, in_frac = int(rng.integers(4, 11)), int(rng.integers(1, 6))
    x = b.quant("x", in_bits, in_frac, mode=str(rng.choice(MODES)))
    if cnn:
        channels = int(rng.integers(1, 4))
        inputs = {"x": ["N", 2, 6, 6]}
        pads = [int(p) for p in rng.integers(0, 2, 4)]
        h = b.node("Conv", [x, weight((channels, 2, 3, 3), 0 if rng.integers(0, 2) else None),
                            b.quant(b.const(rng.normal(0, .3, channels).astype(np.float32)), 10, 6)],
                   pads=pads, strides=[1, 1])
        h = act_quant(b.node("Relu", [act_quant(h)]))
        h = b.node(str(rng.choice(["MaxPool", "AveragePool"])), [h], kernel_shape=[2, 2], strides=[2, 2])
        h = act_quant(b.node("Flatten", [h]))
        size = channels * ((6 + pads[0] + pads[2] - 2) // 2) * ((6 + pads[1] + pads[3] - 2) // 2)
    else:
        size = int(rng.integers(2, 9))
        inputs = {"x": ["N", 5]}
        h = b.node("Gemm", [x, weight((5, size), 1 if rng.integers(0, 2) else None)])
        h = act_quant(b.node("Relu", [act_quant(h)]))
    y = b.node("MatMul", [h, weight((size, 3))])
    y = act_quant(y)
    return b.build(inputs, y), {"bits": in_bits, "frac": in_frac, "shape": inputs["x"][1:]}


def trunc_model(version: int, mode: str, signed=1, narrow=0) -> onnx.ModelProto:
    """Quant(x; 12 bits, 2^-6) -> MatMul -> Trunc to fewer bits (QONNX Trunc v1 or v2)."""
    b = ModelBuilder(f"trunc_v{version}")
    x = b.quant("x", 10, 5)
    w = b.quant(b.const(np.array([[0.75, -0.5], [1.25, 0.25], [-1.0, 0.5]], np.float32)), 4, 2)
    acc = b.node("MatMul", [x, w])               # on a 2^-7 grid, at most 13 bits
    consts = [b.const(np.float32(2.0**-7)), b.const(np.float32(0)), b.const(np.float32(13))]
    if version == 1:
        consts.append(b.const(np.float32(9)))
        y = b.node("Trunc", [acc] + consts, domain=QONNX_DOMAIN, rounding_mode=mode)
    else:
        consts += [b.const(np.float32(2.0**-3)), b.const(np.float32(6))]
        y = b.node("Trunc", [acc] + consts, domain=QONNX_DOMAIN, rounding_mode=mode,
                   signed=signed, narrow=narrow)
    return b.build({"x": ["N", 3]}, y, qonnx_version=version)


def qdq_model(seed=1) -> onnx.ModelProto:
    """ONNX QDQ: QuantizeLinear/DequantizeLinear on the input (int8, 2^-4) and int8 weights (2^-6)."""
    rng = np.random.default_rng(seed)
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["xq"], name="q"),
        helper.make_node("DequantizeLinear", ["xq", "s", "zp"], ["xd"], name="dq"),
        helper.make_node("DequantizeLinear", ["w", "sw", "zp"], ["wd"], name="dqw"),
        helper.make_node("MatMul", ["xd", "wd"], ["y"], name="mm"),
    ]
    graph = helper.make_graph(
        nodes, "qdq", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=[numpy_helper.from_array(np.array(np.float32(2.0**-4)), "s"),
                     numpy_helper.from_array(np.array(np.float32(2.0**-6)), "sw"),
                     numpy_helper.from_array(np.array(np.int8(0)), "zp"),
                     numpy_helper.from_array(rng.integers(-100, 100, (6, 3)).astype(np.int8), "w")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
