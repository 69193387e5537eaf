"""The benchmark models: QONNX networks with mixed per-tensor widths, and their float twins."""

from __future__ import annotations

import numpy as np

from hgq_hls.frontend.onnx.builder import ModelBuilder


def mlp(rng):
    """QONNX 16-64-32-32-5 MLP and its float twin (weights already on their grids)."""
    b, f = ModelBuilder("mlp"), ModelBuilder("mlp_float")
    h, hf = b.quant("x", 8, 4), "x"
    sizes = [16, 64, 32, 32, 5]
    for k in range(4):
        w = np.round(rng.normal(0, 0.5, (sizes[k], sizes[k + 1])) * 16).clip(-32, 31) / 16
        bias = np.round(rng.normal(0, 0.1, sizes[k + 1]) * 64) / 64
        h = b.node("Add", [b.node("MatMul", [h, b.quant(b.const(w.astype(np.float32)), 6, 4)]),
                           b.quant(b.const(bias.astype(np.float32)), 8, 6)])
        hf = f.node("Add", [f.node("MatMul", [hf, f.const(w.astype(np.float32))]),
                            f.const(bias.astype(np.float32))])
        if k < 3:
            h, hf = b.quant(b.node("Relu", [h]), 8, 4, signed=0), f.node("Relu", [hf])
        else:
            h = b.quant(h, 12, 6)
    return b.build({"x": [1, 16]}, h), f.build({"x": ["N", 16]}, hf), (16,)


def cnn(rng):
    """QONNX CNN: Conv(1->4, 3x3) - ReLU - MaxPool 2x2 - Dense(36->5), and its float twin."""
    b, f = ModelBuilder("cnn"), ModelBuilder("cnn_float")
    w = (np.round(rng.normal(0, 0.5, (4, 1, 3, 3)) * 8).clip(-8, 7) / 8).astype(np.float32)
    d = (np.round(rng.normal(0, 0.3, (36, 5)) * 16).clip(-32, 31) / 16).astype(np.float32)
    h = b.node("Conv", [b.quant("x", 8, 4), b.quant(b.const(w), 4, 3)], pads=[0, 0, 0, 0],
               kernel_shape=[3, 3], strides=[1, 1], dilations=[1, 1], group=1)
    h = b.node("MaxPool", [b.quant(b.node("Relu", [h]), 8, 4, signed=0)], kernel_shape=[2, 2],
               strides=[2, 2], pads=[0, 0, 0, 0])
    h = b.quant(b.node("MatMul", [b.node("Flatten", [h]), b.quant(b.const(d), 6, 4)]), 12, 6)
    hf = f.node("Conv", ["x", f.const(w)], pads=[0, 0, 0, 0])
    hf = f.node("MaxPool", [f.node("Relu", [hf])], kernel_shape=[2, 2], strides=[2, 2])
    hf = f.node("MatMul", [f.node("Flatten", [hf]), f.const(d)])
    return b.build({"x": [1, 1, 8, 8]}, h), f.build({"x": ["N", 1, 8, 8]}, hf), (1, 8, 8)


def dense_mlp(sizes, weight_bits=6, seed=0):
    """QONNX MLP of ``sizes`` (e.g. 128-256-256-10): 8-bit inputs and hidden ReLU
    activations (4 fractional bits), ``weight_bits``-bit weights with 4 fractional bits, 8-bit
    biases, a 12-bit output; returns (model, weights, biases) with the float weights/biases."""
    rng = np.random.default_rng(seed)
    b = ModelBuilder("dense_mlp")
    h = b.quant("x", 8, 4)
    top = 2 ** (weight_bits - 1)
    weights, biases = [], []
    for k in range(len(sizes) - 1):
        w = (np.round(rng.normal(0, 0.5, (sizes[k], sizes[k + 1])) * 16).clip(-top, top - 1) / 16).astype(np.float32)
        bias = (np.round(rng.normal(0, 0.1, sizes[k + 1]) * 64) / 64).astype(np.float32)
        weights.append(w)
        biases.append(bias)
        h = b.node("Add", [b.node("MatMul", [h, b.quant(b.const(w), weight_bits, 4)]), b.quant(b.const(bias), 8, 6)])
        h = b.quant(b.node("Relu", [h]), 8, 4, signed=0) if k < len(sizes) - 2 else b.quant(h, 12, 6)
    return b.build({"x": [1, sizes[0]]}, h), weights, biases


def cnv(rng, weight_bits=2, act_bits=2):
    """A CNV-style QONNX CNN (FINN's CNV shrunk to ~10.8k parameters): 3x32x32 8-bit input,
    Conv 3->8, 8->8, MaxPool, Conv 8->16, 16->16, MaxPool (3x3 valid convolutions), Dense
    400->16->10; ``weight_bits``-bit weights and ``act_bits``-bit ReLU activations (~1M
    multiply-accumulates per sample)."""
    b = ModelBuilder("cnv")
    h = b.quant("x", 8, 7)
    top = 2 ** (weight_bits - 1)

    def wq(shape):
        w = np.round(rng.normal(0, 0.6, shape) * 2).clip(-top, top - 1) / 2
        return b.quant(b.const(w.astype(np.float32)), weight_bits, 1)

    def act(v):
        return b.quant(b.node("Relu", [v]), act_bits, 1, signed=0)

    for k, (cin, cout) in enumerate([(3, 8), (8, 8), (8, 16), (16, 16)]):
        h = act(b.node("Conv", [h, wq((cout, cin, 3, 3))], kernel_shape=[3, 3], pads=[0, 0, 0, 0],
                       strides=[1, 1], dilations=[1, 1], group=1))     # hls4ml needs every attribute
        if k % 2:
            h = b.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0])
    h = act(b.node("MatMul", [b.node("Flatten", [h]), wq((400, 16))]))
    return b.build({"x": [1, 3, 32, 32]}, b.quant(b.node("MatMul", [h, wq((16, 10))]), 10, 2)), (3, 32, 32)


def tfc(rng, weight_bits=2, act_bits=2):
    """A TFC-style QONNX MLP (FINN's TFC-w2a2 shape): 784-64-64-64-10 (~59k parameters), an
    8-bit input, ``weight_bits``-bit weights and ``act_bits``-bit ReLU activations."""
    b = ModelBuilder("tfc")
    h = b.quant("x", 8, 7)
    top = 2 ** (weight_bits - 1)
    sizes = [784, 64, 64, 64, 10]
    for k in range(4):
        w = np.round(rng.normal(0, 0.6, (sizes[k], sizes[k + 1])) * 2).clip(-top, top - 1) / 2
        h = b.node("MatMul", [h, b.quant(b.const(w.astype(np.float32)), weight_bits, 1)])
        h = b.quant(b.node("Relu", [h]), act_bits, 1, signed=0) if k < 3 else b.quant(h, 10, 2)
    return b.build({"x": [1, 784]}, h), (784,)
