"""User-declared narrow accumulators, wide accumulators, QDQ models and tracing.

Oracles: exact sums formed with Python ints and wrapped/saturated by hand, and ONNX's own
reference runtime (onnx.reference) for QuantizeLinear/DequantizeLinear models.
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

import hgq_hls as hh
from tests.frontend.qonnx_models import qdq_model


def dense_model(w: np.ndarray, name="fc"):
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name=name)], "dense",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", w.shape[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=[numpy_helper.from_array(w.astype(np.float32), "w")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def exact_sums(x: np.ndarray, w: np.ndarray) -> list:
    return [[sum(int(a) * int(b) for a, b in zip(row, col)) for col in w.T] for row in x]


@pytest.mark.parametrize("overflow", ["WRAP", "SAT"])
def test_narrow_declared_accumulator(overflow):
    rng = np.random.default_rng(0)
    w = rng.integers(-8, 8, (10, 4))
    x = rng.integers(-128, 128, (300, 10)).astype(np.float64)
    acc = hh.FixedType(True, 9, 9, "TRN", overflow)          # far too narrow on purpose
    g = hh.load_onnx(dense_model(w), input_type=hh.FixedType(True, 8, 8),
                     default_type=hh.FixedType(True, 8, 8), precision={"fc": acc})
    sums = exact_sums(x, w)
    if overflow == "WRAP":
        expected = [[((s + 256) % 512) - 256 for s in row] for row in sums]
    else:
        expected = [[min(max(s, -256), 255) for s in row] for row in sums]
    assert_array_equal(hh.predict(g, x), np.array(expected, dtype=np.float64))


def test_per_weight_precision_and_inferred_accumulator_is_exact():
    # weights with very different numbers of significant bits in one tensor
    w = np.array([[0.5, -0.0078125], [3.0, 0.25], [-1.5, 0.0]])
    g = hh.load_onnx(dense_model(w), input_type=hh.FixedType(True, 6, 3))
    assert g.tensors["w"].type.frac == 7            # exact constant: finest weight is 2^-7
    assert_array_equal(g.tensors["w"].float_value(), w)
    x = np.array([[3.875, -4.0, 0.125], [-0.125, 0.0, 3.5]])
    xm = (x * 8).astype(int)
    wm = (w * 128).astype(int)
    expected = np.array(exact_sums(xm, wm), dtype=np.float64) / (8 * 128)
    assert_array_equal(hh.predict(g, x), expected)


def test_accumulators_beyond_62_bits_stay_exact():
    w = np.array([[2.0**30, -(2.0**29)], [2.0**30 - 2.0**7, 3.0]])   # exact in float32
    t = hh.FixedType(True, 40, 40, "TRN", "SAT")
    g = hh.load_onnx(dense_model(w), input_type=t)
    assert g.tensors["y"].type.width > 62
    x = np.array([[2.0**39 - 1, -(2.0**39)]])
    expected = exact_sums(x.astype(object).astype(int), w.astype(object).astype(int))
    got = hh.reference.run(g, x)["y"][0]
    assert [[int(v) for v in row] for row in got] == expected


def test_qdq_model_matches_onnx_reference():
    model = qdq_model(seed=1)
    rng = np.random.default_rng(2)
    x = rng.normal(0, 6, (200, 6)).astype(np.float32)
    x[:50] = (np.round(x[:50] * 16) + 0.5) / 16                      # exact ties
    expected = ReferenceEvaluator(model).run(None, {"x": x})[0].astype(np.float64)
    g = hh.load_onnx(model)
    assert g.tensors["xq"].type == hh.FixedType(True, 8, 4, "RND_CONV", "SAT")
    assert_array_equal(hh.predict(g, x.astype(np.float64)), expected)


def test_trace_returns_every_intermediate():
    w = np.array([[1.0, -2.0], [0.5, 0.25]])
    g = hh.load_onnx(dense_model(w), input_type=hh.FixedType(True, 8, 4))
    trace = hh.predict(g, np.array([[1.5, -2.0]]), trace=True)
    assert set(trace) == {"x", "y"}
    assert_array_equal(trace["y"], [[0.5, -3.5]])
