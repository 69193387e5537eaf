"""``auto_pad`` SAME_UPPER / SAME_LOWER / VALID on Conv, MaxPool and AveragePool.

Oracles: onnxruntime on the float model (``onnx.reference`` is not one here: its pooling
with SAME_LOWER returns 3 rows for 7 inputs at stride 2, where the spec says ceil(7 / 2) = 4),
and qonnx's executor on a quantized one (bit-exact: small fixed-point values are exact in float32).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from onnx import TensorProto, helper, numpy_helper

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder

from .ort_oracle import onnxruntime_per_sample
from .test_qonnx_executor_oracle import qonnx_execute

CASES = [("Conv", dict(kernel_shape=[3, 2], strides=[2, 1])),
         ("Conv", dict(kernel_shape=[2, 2], strides=[2, 2])),
         ("MaxPool", dict(kernel_shape=[3, 3], strides=[2, 2])),
         ("AveragePool", dict(kernel_shape=[2, 3], strides=[1, 2])),
         ("AveragePool", dict(kernel_shape=[3, 3], strides=[2, 2], count_include_pad=1))]


def _float_model(op, attrs, auto_pad):
    rng = np.random.default_rng(0)
    inputs = ["x"]
    inits = []
    if op == "Conv":
        w = rng.normal(0, 0.5, (2, 2) + tuple(attrs["kernel_shape"])).astype(np.float32)
        inits.append(numpy_helper.from_array(w, "w"))
        inputs.append("w")
    node = helper.make_node(op, inputs, ["y"], auto_pad=auto_pad, **attrs)
    graph = helper.make_graph([node], "pad", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 7, 6])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])


@pytest.mark.parametrize("auto_pad", ["SAME_UPPER", "SAME_LOWER", "VALID"])
@pytest.mark.parametrize("op,attrs", CASES)
def test_auto_pad_matches_onnxruntime(op, attrs, auto_pad):
    model = _float_model(op, attrs, auto_pad)
    x = np.random.default_rng(1).normal(0, 1, (5, 2, 7, 6)).astype(np.float32)
    want = onnxruntime_per_sample(model, x)
    got = hh.predict(hh.load_onnx(model), x.astype(np.float64))
    assert got.shape == want.shape
    assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("auto_pad", ["SAME_UPPER", "SAME_LOWER"])
def test_quantized_same_padding_is_bit_exact(auto_pad):
    rng = np.random.default_rng(2)
    b = ModelBuilder("same")
    x = b.quant("x", 8, 3)
    w = b.quant(b.const(rng.normal(0, 0.5, (3, 2, 3, 2)).astype(np.float32)), 4, 2)
    h = b.node("Conv", [x, w], kernel_shape=[3, 2], strides=[2, 1], auto_pad=auto_pad)
    h = b.node("MaxPool", [b.quant(h, 10, 4)], kernel_shape=[2, 2], strides=[2, 2], auto_pad=auto_pad)
    model = b.build({"x": ["N", 2, 7, 6]}, b.quant(h, 10, 4))
    xs = rng.normal(0, 3, (50, 2, 7, 6))
    assert_array_equal(hh.predict(hh.load_onnx(model), xs), qonnx_execute(model, xs))


@pytest.mark.parametrize("auto_pad", ["SAME_UPPER", "SAME_LOWER"])
def test_dilated_same_conv_matches_onnx_reference(auto_pad):
    """onnxruntime refuses dilations with SAME padding; ONNX's reference Conv is the oracle here."""
    from onnx.reference import ReferenceEvaluator

    model = _float_model("Conv", dict(kernel_shape=[2, 2], strides=[2, 1], dilations=[1, 2]), auto_pad)
    x = np.random.default_rng(3).normal(0, 1, (4, 2, 7, 6)).astype(np.float32)
    want = np.concatenate([ReferenceEvaluator(model).run(None, {"x": x[k:k + 1]})[0] for k in range(4)])
    assert_allclose(hh.predict(hh.load_onnx(model), x.astype(np.float64)), want, rtol=1e-5, atol=1e-6)


def test_unknown_auto_pad_is_named():
    model = _float_model("MaxPool", dict(kernel_shape=[2, 2]), "SAME_MIDDLE")
    with pytest.raises(hh.UnsupportedModelError, match="SAME_MIDDLE"):
        hh.load_onnx(model)
