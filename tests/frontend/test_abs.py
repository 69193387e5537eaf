"""Abs, imported as PRelu with slope -1.

Oracles: onnxruntime on a float model (exactly equal), qonnx's executor on a quantized one
(bit-exact, the most negative input included) and on its QONNX export.
"""

import numpy as np
from numpy.testing import assert_array_equal
from onnx import TensorProto, helper

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder

from .ort_oracle import onnxruntime_per_sample
from .test_qonnx_executor_oracle import qonnx_execute


def test_abs_matches_onnxruntime():
    graph = helper.make_graph([helper.make_node("Abs", ["x"], ["y"])], "abs",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 5])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    x = np.random.default_rng(0).normal(0, 1, (3, 2, 5)).astype(np.float32)
    want = onnxruntime_per_sample(model, x)
    assert_array_equal(hh.predict(hh.load_onnx(model), x.astype(np.float64)), want)


def test_quantized_abs_is_bit_exact(tmp_path):
    b = ModelBuilder("abs")
    model = b.build({"x": ["N", 7]}, b.quant(b.node("Abs", [b.quant("x", 6, 3)]), 7, 4, signed=0))
    xs = np.concatenate([np.full((1, 7), -4.0), np.random.default_rng(1).normal(0, 3, (100, 7))])
    g = hh.load_onnx(model)
    want = qonnx_execute(model, xs)
    assert want[0, 0] == 4.0                   # |-4| = 4: one bit above the input's range, not saturated
    assert_array_equal(hh.predict(g, xs), want)
    hh.save_qonnx(g, tmp_path / "abs.onnx")
    assert_array_equal(qonnx_execute(__import__("onnx").load(tmp_path / "abs.onnx"), xs), want)
