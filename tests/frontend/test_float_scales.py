"""Float scales and zero points give exactly the rational results of their definitions.

Oracles: an exact rational executor written from the QONNX and ONNX specs
(tests/frontend/rational_executor.py); qonnx's executor and onnxruntime, whose float32
arithmetic may land on the other side of a rounding boundary -- each such sample is checked
to lie within float32 error of a boundary, and counted.
"""

from copy import deepcopy
from fractions import Fraction

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from onnx import TensorProto, helper, numpy_helper

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder

from .float_scale_models import float_quant, float_scaled_mlp, ort_static_qdq
from .rational_executor import ROUNDING, run
from .test_qonnx_executor_oracle import qonnx_execute


def exact(values) -> np.ndarray:
    """Float64 results as exact Fractions (each float is a dyadic rational)."""
    return np.vectorize(lambda v: Fraction(float(v)), otypes=[object])(values)


def ties_and_normals(rng, scale, n, shape, spread=40):
    """Inputs ``k * s / 2`` (exact ties for odd k, exact codes for even k) and normal values."""
    s = np.broadcast_to(np.asarray(scale, np.float64), shape)
    k = rng.integers(-spread, spread, (n,) + tuple(shape))
    ties = k * s / 2                                   # exact in float64: 24-bit s times a small int
    normals = rng.normal(0, spread / 4, (n,) + tuple(shape)) * s
    return np.concatenate([ties, normals.astype(np.float32).astype(np.float64)])


MODES = ["ROUND", "HALF_EVEN", "FLOOR", "DOWN", "HALF_UP", "HALF_DOWN", "CEIL"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("signed,narrow,zero", [(1, 0, 0), (1, 1, 0), (1, 0, 3), (0, 0, 0), (0, 1, 5), (0, 0, 2)])
def test_float_quant_on_a_float_input(mode, signed, narrow, zero):
    """The host divides and rounds a float input exactly (the firmware takes the codes).

    A zero point that must be added before rounding (modes whose ties depend on the sign or
    parity) is an addition in the firmware, and CEIL a negation, which need a fixed-point
    input: the model then asks for ``input_type=`` (a type holding these inputs exactly is given).
    """
    b = ModelBuilder("q")
    y = float_quant(b, "x", np.float32(0.3), 5, zero=float(zero), signed=signed, narrow=narrow, mode=mode)
    model = b.build({"x": ["N", 4]}, y)
    x = ties_and_normals(np.random.default_rng(len(mode)), np.float32(0.3), 50, (4,))
    # (CEIL is a floor of the negated input: a Neg in the firmware, which needs fixed point too)
    adds_zero = mode == "CEIL" or (zero != 0 and mode != "FLOOR")
    if adds_zero:
        with pytest.raises(hh.UnsupportedModelError, match="input_type"):
            hh.load_onnx(model)
    g = hh.load_onnx(model, input_type=hh.FixedType(True, 48, 16) if adds_zero else None)
    assert_array_equal(exact(hh.predict(g, x)), run(model, x))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("zero", [0, 1, -2])
def test_float_quant_per_channel_on_fixed_point_activations(mode, zero):
    """Per-channel scales with small odd parts (3/8, 5/4, 7/32) and a float32 one: exact ties
    of the fixed-point input grid occur and go where each mode sends them."""
    scale = np.array([[0.375, 1.25, 0.21875, np.float32(0.3)]], np.float32)
    b = ModelBuilder("q")
    x = b.quant("x", 10, 5)
    y = float_quant(b, x, scale, 4, zero=float(zero), mode=mode)
    model = b.build({"x": ["N", 4]}, y)
    g = hh.load_onnx(model)
    codes = np.arange(-512, 512)
    xs = np.repeat((codes / 32.0)[:, None], 4, axis=1)
    assert_array_equal(exact(hh.predict(g, xs)), run(model, xs))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_float_scaled_mlp_is_exactly_rational(seed):
    model = float_scaled_mlp(seed)
    x = np.random.default_rng(seed).normal(0, 3, (300, 6))
    assert_array_equal(exact(hh.predict(hh.load_onnx(model), x)), run(model, x))


def _boundary_distance(v: Fraction, mode: str) -> Fraction:
    """Distance of ``v`` to the nearest value where ``mode`` changes its result."""
    if mode in ("FLOOR", "DOWN", "CEIL", "UP"):
        return abs(v - round(v))
    return abs(v - (np.floor(float(v)) + Fraction(1, 2)))


@pytest.mark.parametrize("mode", MODES)
def test_qonnx_executor_differs_only_within_float32_error_of_a_boundary(mode):
    scale, zero = np.float32(0.0371), 3
    b = ModelBuilder("q")
    y = float_quant(b, "x", scale, 6, zero=float(zero), mode=mode)
    model = b.build({"x": ["N", 8]}, y)
    # on a 2^-16 grid, so a fixed-point input type holds them exactly (the zero point is added
    # in the firmware for most modes)
    x = np.round(np.random.default_rng(7).normal(0, 1, (2000, 8)) * 2**16) / 2**16
    ours = hh.predict(hh.load_onnx(model, input_type=hh.FixedType(True, 24, 8)), x)
    theirs = qonnx_execute(model, x)
    differ = ours.astype(np.float32) != theirs.astype(np.float32)
    for v in x[differ]:
        q = Fraction(float(v)) / Fraction(float(scale)) + zero
        assert _boundary_distance(q, mode) < abs(q) * Fraction(1, 2**21) + Fraction(1, 2**21), (v, mode)
    assert differ.mean() < 1e-3, f"{differ.sum()} of {differ.size} values differ from qonnx"


@pytest.fixture(scope="module")
def static_qdq():
    return ort_static_qdq(0)


@pytest.fixture(scope="module")
def static_qdq_7bit():
    """7-bit weights: onnxruntime's optimized (integer) kernels on an AVX2 CPU without VNNI sum
    uint8 x int8 pairs in saturating 16 bits (vpmaddubsw), so 8-bit weights differ there from
    the exact result (a third of the codes on an AMD EPYC here); its quantizer's reduce_range is
    its own remedy."""
    return ort_static_qdq(0, reduce_range=True)


def test_quantize_static_model_is_exactly_rational(static_qdq):
    x = np.random.default_rng(1).normal(0, 1, (200, 8)).astype(np.float32).astype(np.float64)
    assert_array_equal(exact(hh.predict(hh.load_onnx(static_qdq), x)), run(static_qdq, x))


def _ort_session(model, optimize: bool):
    try:
        import onnxruntime as ort
    except ImportError as exc:
        pytest.fail(f"onnxruntime is needed for this test: pip install -e '.[test]' ({exc})")
    options = ort.SessionOptions()
    if not optimize:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("optimize", [False, True])
def test_quantize_static_codes_equal_onnxruntime(static_qdq_7bit, optimize):
    """onnxruntime's uint8 output codes, from its own QDQ kernels (float32) or, optimized, its
    integer QLinear kernels: equal to the exact codes hh.predict computes, sample by sample."""
    model = deepcopy(static_qdq_7bit)
    codes_name = next(n.output[0] for n in model.graph.node if n.op_type == "QuantizeLinear"
                      and n.output[0].startswith("y"))
    model.graph.output.append(helper.make_tensor_value_info(codes_name, TensorProto.UINT8, None))
    x = np.random.default_rng(2).normal(0, 1, (2000, 8)).astype(np.float32)
    y32, codes = _ort_session(model, optimize).run(None, {"x": x})
    g = hh.load_onnx(static_qdq_7bit)
    ours = hh.predict(g, x.astype(np.float64))
    inits = {i.name: numpy_helper.to_array(i) for i in static_qdq_7bit.graph.initializer}
    scale, zero = float(inits["y_scale"]), int(inits["y_zero_point"])
    our_codes = np.vectorize(lambda v: Fraction(float(v)) / Fraction(scale) + zero, otypes=[object])(ours)
    assert all(c.denominator == 1 for c in our_codes.reshape(-1))
    differ = our_codes.astype(np.int64) != codes
    assert differ.mean() < 1e-3, f"{differ.sum()} of {differ.size} codes differ from onnxruntime"
    # its float32 outputs are the exact values rounded to float32 where the codes agree
    assert_array_equal(ours.astype(np.float32)[~differ], y32[~differ])


def test_qdq_int16_zero_point_per_axis_activation():
    """QuantizeLinear with an int16 zero point per channel (axis 1) on an activation."""
    scale = np.array([0.013, 0.7, 0.05], np.float32)
    zero = np.array([-300, 7, 1000], np.int16)
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], axis=1),
             helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], axis=1)]
    graph = helper.make_graph(nodes, "qdq16", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(scale, "s"), numpy_helper.from_array(zero, "z")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    x = ties_and_normals(np.random.default_rng(3), scale, 200, (3,), spread=4000)
    assert_array_equal(exact(hh.predict(hh.load_onnx(model), x)), run(model, x))


def test_dequantize_with_another_scale_is_refused():
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], name="q"),
             helper.make_node("DequantizeLinear", ["q", "s2", "z"], ["y"], name="dq")]
    graph = helper.make_graph(nodes, "bad", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(np.array(0.3, np.float32), "s"),
                               numpy_helper.from_array(np.array(0.5, np.float32), "s2"),
                               numpy_helper.from_array(np.array(3, np.uint8), "z")])
    with pytest.raises(hh.UnsupportedModelError, match="scale and zero point") as info:
        hh.load_onnx(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]))
    assert info.value.problems[0].node == "dq"


def test_rounding_table_covers_the_modes():
    assert set(MODES) <= set(ROUNDING)


def test_save_qonnx_names_a_float_scaled_quantizer(tmp_path):
    """Not written yet: a clear refusal naming the node, and no file left behind."""
    g = hh.load_onnx(float_scaled_mlp(0))
    with pytest.raises(hh.UnsupportedModelError, match="Requantize") as info:
        hh.save_qonnx(g, tmp_path / "m.onnx")
    requantizers = {n.name for n in g.nodes.values() if n.op == "Requantize"}
    assert requantizers and {p.node for p in info.value.problems} >= requantizers
    assert not (tmp_path / "m.onnx").exists()
