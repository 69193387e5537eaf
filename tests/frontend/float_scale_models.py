"""Models with float scales and zero points: QONNX Quant with float32 scales (per tensor, per
channel, zero points, narrow, every rounding mode) and onnxruntime's ``quantize_static`` QDQ."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from hgq_hls.frontend.onnx.builder import QONNX_DOMAIN, ModelBuilder


def float_quant(b: ModelBuilder, x: str, scale, bits: int, zero=0.0, signed=1, narrow=0, mode="ROUND") -> str:
    """A QONNX Quant with float32 scale(s) and zero point(s)."""
    return b.node("Quant", [x, b.const(np.asarray(scale, np.float32), "s"), b.const(np.asarray(zero, np.float32), "z"),
                            b.const(np.float32(bits), "bits")], domain=QONNX_DOMAIN, signed=signed,
                  narrow=narrow, rounding_mode=mode)


def float_scaled_mlp(seed=0) -> onnx.ModelProto:
    """Quant(x, 0.0371) -> MatMul(W: per-column float scales) -> Quant(per-channel, unsigned, zero
    point 3) -> MatMul -> Quant(signed narrow, HALF_UP, zero point -2): Brevitas-style float scales."""
    rng = np.random.default_rng(seed)
    b = ModelBuilder("float_scaled_mlp")
    x = float_quant(b, "x", 0.0371, 8)
    w1 = float_quant(b, b.const(rng.normal(0, 0.5, (6, 5)).astype(np.float32), "w"),
                     (rng.uniform(0.01, 0.05, (1, 5))).astype(np.float32), 6, narrow=1)
    h = b.node("MatMul", [x, w1])
    h = float_quant(b, h, rng.uniform(0.02, 0.2, (1, 5)).astype(np.float32), 5, zero=3.0, signed=0)
    w2 = float_quant(b, b.const(rng.normal(0, 0.5, (5, 3)).astype(np.float32), "w"), 0.0173, 4)
    y = b.node("MatMul", [h, w2])
    y = float_quant(b, y, 0.0913, 6, zero=-2.0, narrow=1, mode="HALF_UP")
    return b.build({"x": ["N", 6]}, y)


def float_mlp(seed=0, features=(8, 16, 4)) -> onnx.ModelProto:
    """A float Gemm -> Relu -> Gemm MLP (the model quantize_static starts from)."""
    rng = np.random.default_rng(seed)
    (n_in, n_hidden, n_out), inits = features, []
    for name, shape in [("W1", (n_in, n_hidden)), ("b1", (n_hidden,)), ("W2", (n_hidden, n_out)), ("b2", (n_out,))]:
        inits.append(numpy_helper.from_array(rng.normal(0, 0.5 if name[0] == "W" else 0.1, shape).astype(np.float32), name))
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["h"]), helper.make_node("Relu", ["h"], ["r"]),
             helper.make_node("Gemm", ["r", "W2", "b2"], ["y"])]
    graph = helper.make_graph(nodes, "float_mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", n_in])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", n_out])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model


def ort_static_qdq(seed=0, per_channel=True, reduce_range=False) -> onnx.ModelProto:
    """``onnxruntime.quantization.quantize_static`` of :func:`float_mlp` in the QDQ format:
    uint8 activations with zero points, int8 per-channel weights, int32 biases at s_x * s_w
    (``reduce_range``: 7-bit weights, which onnxruntime's integer kernels need on CPUs without
    VNNI, where their uint8 x int8 pair sums saturate at 16 bits)."""
    try:
        from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    except ImportError as exc:
        raise AssertionError(f"onnxruntime is needed: pip install -e '.[test]' ({exc})") from None
    rng = np.random.default_rng(seed + 100)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.batches = iter([{"x": rng.normal(0, 1, (1, 8)).astype(np.float32)} for _ in range(64)])

        def get_next(self):
            return next(self.batches, None)

    with tempfile.TemporaryDirectory() as d:
        src, dst = Path(d) / "float.onnx", Path(d) / "qdq.onnx"
        onnx.save(float_mlp(seed), src)
        quantize_static(str(src), str(dst), Reader(), quant_format=QuantFormat.QDQ, per_channel=per_channel,
                        reduce_range=reduce_range, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
        return onnx.load(dst)


def brevitas_style_bn(seed=0, cnn=False, negative_gamma=False, relu_bits=4) -> onnx.ModelProto:
    """What Brevitas exports with default (float-scaled) quantizers and a BatchNorm between them:
    Quant(x) -> MatMul/Conv(Quant W per channel) -> BatchNormalization -> Relu -> Quant(unsigned,
    ``relu_bits``) -> MatMul/Conv -> Quant(int8)."""
    rng = np.random.default_rng(seed)
    b = ModelBuilder("brevitas_bn")
    x = float_quant(b, "x", 0.0431, 8)
    channels = 4
    if cnn:
        w1 = float_quant(b, b.const(rng.normal(0, 0.4, (channels, 2, 3, 3)).astype(np.float32), "w"),
                         rng.uniform(0.005, 0.02, (channels, 1, 1, 1)).astype(np.float32), 8, narrow=1)
        h = b.node("Conv", [x, w1], pads=[1, 1, 1, 1])
    else:
        w1 = float_quant(b, b.const(rng.normal(0, 0.4, (6, channels)).astype(np.float32), "w"),
                         rng.uniform(0.005, 0.02, (1, channels)).astype(np.float32), 8, narrow=1)
        h = b.node("MatMul", [x, w1])
    gamma = rng.uniform(0.5, 1.5, channels).astype(np.float32)
    if negative_gamma:
        gamma[::2] *= -1
    params = [gamma, rng.normal(0, 0.2, channels), rng.normal(0, 0.3, channels), rng.uniform(0.5, 2, channels)]
    h = b.node("BatchNormalization", [h] + [b.const(np.asarray(p, np.float32), "bn") for p in params])
    h = b.node("Relu", [h])
    h = float_quant(b, h, np.float32(rng.uniform(0.05, 0.2)), relu_bits, signed=0)
    if cnn:
        w2 = float_quant(b, b.const(rng.normal(0, 0.4, (2, channels, 3, 3)).astype(np.float32), "w"),
                         np.float32(0.0123), 8, narrow=1)
        y = b.node("Conv", [h, w2])
        y = b.node("Flatten", [y])
    else:
        w2 = float_quant(b, b.const(rng.normal(0, 0.4, (channels, 3)).astype(np.float32), "w"),
                         np.float32(0.0123), 8, narrow=1)
        y = b.node("MatMul", [h, w2])
    y = float_quant(b, y, np.float32(0.0271), 8)
    return b.build({"x": ["N", 2, 5, 5] if cnn else ["N", 6]}, y)
