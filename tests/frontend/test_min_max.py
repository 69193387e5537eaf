"""Elementwise Min/Max of activations (and constants): torch.maximum/minimum, clamps by a
computed tensor.  Oracles: onnxruntime on float models (exactly equal: max picks one input),
qonnx's executor on a quantized model and on its QONNX export (bit-exact)."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from onnx import TensorProto, helper, numpy_helper

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder

from .ort_oracle import onnxruntime_per_sample
from .test_qonnx_executor_oracle import assert_equal_to_qonnx_with_export

#: powers of two: x * w is exact in float32, so onnxruntime and float64 agree exactly
SLOPES = np.array([[0.5, -2.0, 0.25, -1.0], [-0.5, 2.0, -0.25, 1.0]], dtype=np.float32)


def _model(nodes, consts):
    graph = helper.make_graph(nodes, "minmax", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(v, k) for k, v in consts.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def _x(n=50, seed=0):
    return np.random.default_rng(seed).normal(0, 1, (n, 2, 4)).astype(np.float32)


@pytest.mark.parametrize("op", ["Max", "Min"])
def test_two_activations_and_a_constant_match_onnxruntime(op):
    model = _model([helper.make_node("Mul", ["x", "w"], ["xw"]),
                    helper.make_node(op, ["x", "xw", "c"], ["y"])],
                   {"w": SLOPES, "c": np.array(0.125, dtype=np.float32)})
    x = _x()
    assert_array_equal(hh.predict(hh.load_onnx(model), x.astype(np.float64)), onnxruntime_per_sample(model, x))


def test_a_broadcast_activation_bound_matches_onnxruntime():
    # min(x, max over the row of -x), the reduced tensor first: it broadcasts to x
    model = _model([helper.make_node("Neg", ["x"], ["nx"]),
                    helper.make_node("ReduceMax", ["nx"], ["m"], axes=[2], keepdims=1),
                    helper.make_node("Min", ["m", "x"], ["y"])], {})
    x = _x(seed=1)
    assert_array_equal(hh.predict(hh.load_onnx(model), x.astype(np.float64)), onnxruntime_per_sample(model, x))


def test_quantized_max_of_activations_is_bit_exact(tmp_path):
    b = ModelBuilder("maxq")
    a = b.quant("x", 6, 3)
    c = b.quant(b.node("Mul", [a, b.const(SLOPES[0])]), 5, 1)
    model = b.build({"x": [1, 4]}, b.quant(b.node("Max", [a, c]), 7, 3))
    xs = np.random.default_rng(2).normal(0, 3, (200, 4))
    assert_equal_to_qonnx_with_export(model, xs, tmp_path / "m.onnx")


def test_inputs_that_only_broadcast_together_are_refused():
    model = _model([helper.make_node("ReduceMax", ["x"], ["r"], axes=[2], keepdims=1),
                    helper.make_node("ReduceMax", ["x"], ["c"], axes=[1], keepdims=1),
                    helper.make_node("Max", ["r", "c"], ["y"])], {})
    with pytest.raises(hh.UnsupportedModelError, match=r"no activation input has the output shape \(2, 4\)"):
        hh.load_onnx(model)
