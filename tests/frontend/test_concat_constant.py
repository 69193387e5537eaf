"""Concat of activations with a constant (the same values for every sample: a token, a bias
channel).  Oracles: onnxruntime on a float model (exactly equal), qonnx's executor on a
quantized one and on its export (bit-exact)."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from onnx import TensorProto, helper, numpy_helper

import hgq_hls as hh
from hgq_hls.errors import UnsupportedModelError
from hgq_hls.frontend.onnx.builder import ModelBuilder

from .ort_oracle import onnxruntime_per_sample
from .test_qonnx_executor_oracle import qonnx_execute


def _float_model(const_shape=(1, 2, 3)):
    c = np.arange(np.prod(const_shape), dtype=np.float32).reshape(const_shape) / 4 - 0.5
    graph = helper.make_graph([helper.make_node("Concat", ["c", "x"], ["y"], axis=1)], "cat",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(c, "c")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_concat_with_a_constant_matches_onnxruntime():
    model = _float_model()
    x = np.random.default_rng(0).normal(0, 1, (5, 4, 3)).astype(np.float32)
    want = onnxruntime_per_sample(model, x)
    assert_array_equal(hh.predict(hh.load_onnx(model), x.astype(np.float64)), want)


def test_quantized_concat_with_a_constant_is_bit_exact(tmp_path):
    b = ModelBuilder("cat")
    c = b.quant(b.const(np.array([[0.5, -1.25, 3.0]], dtype=np.float32)), 6, 2)
    model = b.build({"x": [1, 4]}, b.quant(b.node("Concat", [b.quant("x", 6, 3), c], axis=1), 8, 4))
    xs = np.random.default_rng(1).normal(0, 2, (20, 4))
    g = hh.load_onnx(model)

    def oracle(m):                          # ONNX's Concat needs the batch of 1 the constant has
        return np.concatenate([qonnx_execute(m, xs[k:k + 1]) for k in range(len(xs))])

    want = oracle(model)
    assert_array_equal(hh.predict(g, xs), want)
    hh.save_qonnx(g, tmp_path / "c.onnx")
    assert_array_equal(oracle(__import__("onnx").load(tmp_path / "c.onnx")), want)


def test_a_constant_that_varies_along_the_batch_is_refused():
    with pytest.raises(UnsupportedModelError, match="batch axis of 1"):
        hh.load_onnx(_float_model((2, 2, 3)))
