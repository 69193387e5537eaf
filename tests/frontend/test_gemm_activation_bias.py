"""Gemm whose C is an activation (torch's ``addmm(h, x, W)``): the product, then an Add.

Oracles: onnxruntime on a float model, qonnx's executor on a quantized one (bit-exact).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from onnx import TensorProto, helper, numpy_helper

import hgq_hls as hh
from hgq_hls.errors import UnsupportedModelError
from hgq_hls.frontend.onnx.builder import ModelBuilder

from .ort_oracle import onnxruntime_per_sample
from .test_qonnx_executor_oracle import qonnx_execute


def _float_model(beta=1.0):
    rng = np.random.default_rng(0)
    inits = [numpy_helper.from_array(rng.normal(0, 0.5, (5, 4)).astype(np.float32), "w"),
             numpy_helper.from_array(rng.normal(0, 0.5, (5, 4)).astype(np.float32), "v")]
    nodes = [helper.make_node("MatMul", ["x", "v"], ["h"]),
             helper.make_node("Gemm", ["x", "w", "h"], ["y"], beta=beta)]
    graph = helper.make_graph(nodes, "addmm", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 5])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_gemm_with_an_activation_bias_matches_onnxruntime():
    model = _float_model()
    x = np.random.default_rng(1).normal(0, 1, (6, 5)).astype(np.float32)
    want = onnxruntime_per_sample(model, x)
    assert_allclose(hh.predict(hh.load_onnx(model), x.astype(np.float64)), want, rtol=1e-5, atol=1e-6)


def test_quantized_gemm_with_an_activation_bias_is_bit_exact():
    rng = np.random.default_rng(2)
    b = ModelBuilder("addmm")
    x = b.quant("x", 8, 4)
    h = b.quant(b.node("Relu", [x]), 6, 3, signed=0)
    w = b.quant(b.const(rng.normal(0, 0.5, (5, 5)).astype(np.float32)), 4, 2)
    model = b.build({"x": ["N", 5]}, b.quant(b.node("Gemm", [x, w, h]), 12, 6))
    xs = rng.normal(0, 3, (60, 5))
    assert_array_equal(hh.predict(hh.load_onnx(model), xs), qonnx_execute(model, xs))


def test_a_scaled_activation_bias_is_refused_with_the_reason():
    with pytest.raises(UnsupportedModelError, match="beta=0.5 on an activation C"):
        hh.load_onnx(_float_model(beta=0.5))
