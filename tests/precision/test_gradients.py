"""Reverse-mode gradients of float graphs against central finite differences (the oracle)."""

import numpy as np
import pytest

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder
from hgq_hls.precision import gradients

RNG = np.random.default_rng(0)


def w(*shape, scale=0.5):
    return (RNG.normal(0, scale, shape)).astype(np.float32)


def mlp():
    b = ModelBuilder("mlp")
    h = b.node("Add", [b.node("MatMul", ["x", b.const(w(6, 5))]), b.const(w(5))])
    h = b.node("Relu", [h])
    h = b.node("Sigmoid", [b.node("MatMul", [h, b.const(w(5, 4))])])
    h = b.node("Sub", [b.node("Mul", [h, b.node("Tanh", [b.node("Neg", [h])])]), b.const(w(4))])
    return b.build({"x": ["N", 6]}, b.node("Softmax", [h], axis=-1)), (6,)


def cnn():
    b = ModelBuilder("cnn")
    h = b.node("Conv", ["x", b.const(w(4, 2, 3, 3)), b.const(w(4))], pads=[1, 1, 1, 1], strides=[2, 1],
               kernel_shape=[3, 3])
    h = b.node("MaxPool", [b.node("LeakyRelu", [h], alpha=0.1)], kernel_shape=[2, 2], strides=[1, 2])
    h = b.node("AveragePool", [h], kernel_shape=[2, 2], strides=[1, 1], pads=[0, 0, 1, 1],
               count_include_pad=1)
    h = b.node("Flatten", [h])
    return b.build({"x": ["N", 2, 7, 6]}, b.node("MatMul", [h, b.const(w(4 * 3 * 3, 3))])), (2, 7, 6)


def grouped_1d():
    b = ModelBuilder("g1d")
    h = b.node("Conv", ["x", b.const(w(4, 2, 3))], group=2, dilations=[2], pads=[2, 1], kernel_shape=[3])
    h = b.node("Clip", [h, b.const(np.float32(-0.4)), b.const(np.float32(0.5))])
    h = b.node("Conv", [h, b.const(w(4, 1, 2))], group=4, kernel_shape=[2])   # depthwise
    h = b.node("Transpose", [h], perm=[0, 2, 1])
    h = b.node("Pad", [h, b.const(np.array([0, 0, 1, 0, 1, 0], dtype=np.int64))], mode="constant")
    h = b.node("Concat", [h, h], axis=2)
    return b.build({"x": ["N", 4, 9]}, b.node("Reshape", [h, b.const(np.array([0, -1], dtype=np.int64))])), (4, 9)


def attention():
    """Products of two activations (q @ x^T, then the scores times x), Max of two activations, Selu."""
    b = ModelBuilder("attention")
    q = b.node("MatMul", ["x", b.const(w(4, 4))])
    s = b.node("MatMul", [q, b.node("Transpose", ["x"], perm=[0, 1, 3, 2])])
    h = b.node("MatMul", [b.node("Softmax", [s], axis=-1), "x"])
    h = b.node("Max", [h, b.node("Neg", ["x"])])
    return b.build({"x": ["N", 2, 3, 4]}, b.node("Selu", [b.node("Sub", [h, b.const(np.float32(0.7))])])), (2, 3, 4)


MODELS = {"mlp": mlp, "cnn": cnn, "grouped_1d": grouped_1d, "attention": attention}


def loss(g, x, r):
    return float((hh.predict(g, x) * r).sum())


@pytest.mark.parametrize("name", MODELS)
def test_gradients_match_finite_differences(name):
    model, shape = MODELS[name]()
    g = hh.load_onnx(model)
    assert not g.is_typed
    x = RNG.normal(0, 1, (3,) + shape)
    r = RNG.normal(0, 1, hh.predict(g, x).shape)
    grads = gradients(g, x, r)
    eps = 1e-6
    # the input: every element
    fd = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += eps
        down[idx] -= eps
        fd[idx] = (loss(g, up, r) - loss(g, down, r)) / (2 * eps)
    np.testing.assert_allclose(grads[g.inputs[0]], fd, rtol=1e-5, atol=1e-7)
    # every constant (weights, biases, slopes, bounds): a sample of its elements
    consts = [t for t in g.tensors.values() if t.is_const and np.issubdtype(np.asarray(t.value).dtype, np.floating)]
    assert consts
    for tensor in consts:
        value = np.asarray(tensor.value, dtype=np.float64)
        for flat in RNG.choice(value.size, min(value.size, 8), replace=False):
            idx = np.unravel_index(flat, value.shape)
            results = []
            for step in (eps, -eps):
                moved = value.copy()
                moved[idx] += step
                tensor.value = moved
                results.append(loss(g, x, r))
            tensor.value = value
            numeric = (results[0] - results[1]) / (2 * eps)
            assert grads[tensor.name][idx] == pytest.approx(numeric, rel=1e-5, abs=1e-7), (tensor.name, idx)


def test_typed_graphs_and_unknown_ops_are_refused():
    model, _ = mlp()
    with pytest.raises(ValueError, match="float graphs"):
        gradients(hh.load_onnx(model, input_type=hh.FixedType(True, 8, 3),
                               default_type=hh.FixedType(True, 8, 3)), np.zeros((1, 6)), np.zeros((1, 4)))
