"""Threshold fusion: a monotone chain (float scale, BatchNorm, ReLU, low-bit requantizer) becomes
comparisons that compute exactly what the chain computes.

Oracles: the exact rational executor (tests/frontend/rational_executor.py) on the model, and
the same model loaded without fusion (whose every op is checked against its own oracle).
"""

from fractions import Fraction

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder

from .float_scale_models import brevitas_style_bn, float_quant
from .rational_executor import run


def exact(values) -> np.ndarray:
    """Exact Fractions of float64 results (Fractions pass unchanged)."""
    return np.vectorize(lambda v: v if isinstance(v, Fraction) else Fraction(float(v)), otypes=[object])(values)


def ops(g) -> list[str]:
    return [n.op for n in g.topological()]


@pytest.mark.parametrize("cnn", [False, True])
@pytest.mark.parametrize("negative_gamma", [False, True])
def test_batchnorm_between_quantizers_becomes_exact_thresholds(cnn, negative_gamma):
    model = brevitas_style_bn(1, cnn, negative_gamma)
    fused, plain = hh.load_onnx(model), hh.load_onnx(model, thresholds=False)
    assert ops(fused).count("Threshold") >= 1 and "Requantize" in ops(plain)
    # the BatchNorm's Mul/Add, the ReLU and the 4-bit requantizer are gone into the thresholds
    assert ops(fused).count("Mul") < ops(plain).count("Mul") and "Relu" not in ops(fused)
    rng = np.random.default_rng(2)
    x = rng.normal(0, 2, (60, 2, 5, 5) if cnn else (300, 6))
    assert_array_equal(hh.predict(fused, x), hh.predict(plain, x))
    assert_array_equal(exact(hh.predict(fused, x)), run(model, x))
    step = next(n for n in fused.topological() if n.op == "Threshold").attrs["step"]   # the BatchNorm layer
    assert (np.asarray(step) < 0).any() == negative_gamma          # decreasing where gamma < 0


def test_every_input_code_of_the_threshold_equals_the_chain():
    """All values of the accumulator's range, not a sample: the bisection is exact."""
    model = brevitas_style_bn(3)
    fused, plain = hh.load_onnx(model), hh.load_onnx(model, thresholds=False)
    node = next(n for n in fused.nodes.values() if n.op == "Threshold")
    acc = fused.tensors[node.inputs[0]]
    # drive the accumulator through the first layer: inputs on the input quantizer's grid
    x = np.random.default_rng(0).integers(-128, 128, (4000, 6)) * np.float64(np.float32(0.0431))
    x = np.concatenate([x, np.full((1, 6), 127 * np.float64(np.float32(0.0431))),
                        np.full((1, 6), -128 * np.float64(np.float32(0.0431)))])
    a, b = hh.predict(fused, x, trace=True), hh.predict(plain, x, trace=True)
    assert_array_equal(a[node.outputs[0]], b[node.outputs[0]])
    assert acc.name in a


def test_comparators_that_cost_more_than_the_chain_are_not_used():
    """255 comparisons on a ~40-bit accumulator against one division by 3: the chain stays."""
    b = ModelBuilder("wide")
    x = b.quant("x", 16, 8)
    w = b.quant(b.const(np.random.default_rng(0).normal(0, 0.5, (8, 3)).astype(np.float32)), 16, 12)
    y = float_quant(b, b.node("MatMul", [x, w]), np.float32(0.375), 8)
    g = hh.load_onnx(b.build({"x": ["N", 8]}, y))
    assert "Threshold" not in ops(g) and "Requantize" in ops(g)


def test_eight_bit_outputs_of_narrow_accumulators_become_thresholds():
    """Comparisons with constants are carry chains: at 8 bits on an 18-bit accumulator they
    still beat the 43-bit scale multiply and the requantizer (yosys: 1,536 against 8,459 LUT)."""
    model = brevitas_style_bn(0, relu_bits=8)
    fused, plain = hh.load_onnx(model), hh.load_onnx(model, thresholds=False)
    assert "Threshold" in ops(fused)
    x = np.random.default_rng(5).normal(0, 2, (300, 6))
    assert_array_equal(hh.predict(fused, x), hh.predict(plain, x))
    assert hh.estimate(fused).total("lut") < hh.estimate(plain).total("lut")


def test_a_power_of_two_chain_is_left_alone():
    """Nothing expensive to save: a power-of-two scale is a cast already."""
    b = ModelBuilder("pot")
    x = b.quant("x", 8, 3)
    h = b.node("MatMul", [x, b.quant(b.const(np.ones((4, 3), np.float32) * 0.5), 4, 2)])
    y = b.quant(b.node("Relu", [h]), 3, 1, signed=0)
    assert "Threshold" not in ops(hh.load_onnx(b.build({"x": ["N", 4]}, y)))


def test_fused_graph_costs_less_than_the_chain():
    model = brevitas_style_bn(0)
    fused, plain = hh.load_onnx(model), hh.load_onnx(model, thresholds=False)
    for backend in ("verilog", "hls"):
        assert hh.estimate(fused, backend=backend).total("lut") < hh.estimate(plain, backend=backend).total("lut")


def test_a_zero_point_clip_joins_the_chain():
    """QuantizeLinear-style codes with a zero point: Requantize then Clip, both fused."""
    b = ModelBuilder("zp")
    x = b.quant("x", 8, 3)
    h = b.node("MatMul", [x, b.quant(b.const(np.array([[0.5, -0.25], [0.75, 1.0]], np.float32)), 4, 2)])
    y = float_quant(b, h, np.float32(0.37), 3, zero=2.0, signed=0, mode="FLOOR")
    model = b.build({"x": ["N", 2]}, y)
    fused = hh.load_onnx(model)
    assert "Threshold" in ops(fused) and "Clip" not in ops(fused)
    xs = np.stack(np.meshgrid(np.arange(-128, 128), np.arange(-128, 128)), -1).reshape(-1, 2) / 8
    assert_array_equal(exact(hh.predict(fused, xs)), run(model, xs))


def test_trace_returns_values_wider_than_float64_exactly():
    """The BatchNorm product (float64 constants times an accumulator) needs ~116 bits: the
    trace returns it as exact Fractions instead of failing; exact=True gives Fractions always."""
    model = brevitas_style_bn(0)
    plain = hh.load_onnx(model, thresholds=False)
    x = np.random.default_rng(4).normal(0, 2, (20, 6))
    trace = hh.predict(plain, x, trace=True)
    mul = next(n for n in plain.nodes.values() if n.op == "Mul" and n.name.startswith("BatchNormalization"))
    acc, scaled = trace[mul.inputs[0]], trace[mul.outputs[0]]
    assert acc.dtype == object and scaled.dtype == object          # 54 and ~108 significant bits and isinstance(scaled.reshape(-1)[0], Fraction)
    gamma = plain.tensors[mul.inputs[1]]
    factor = np.vectorize(lambda m: Fraction(int(m)) / 2 ** gamma.type.frac, otypes=[object])(gamma.value)
    assert_array_equal(scaled, exact(acc) * factor)
    out = hh.predict(plain, x, exact=True)
    assert_array_equal(out, exact(hh.predict(plain, x)))


W_TABLE = np.array([[0.5, -0.25, 1.0], [0.75, 1.0, -0.5]], np.float32)


def _input_codes():
    """40,000 pairs of the input quantizer's codes (10 bits, 2^-6): the table reads 2^-6 steps
    of h, which lies on a 2^-8 grid, so only the function itself gets every level right."""
    return np.random.default_rng(5).integers(-512, 512, (40_000, 2)) / 64


def _table_model(func, accumulator_quant=True):
    b = ModelBuilder("table")
    h = b.node("MatMul", [b.quant("x", 10, 6), b.quant(b.const(W_TABLE), 4, 2)])
    h = b.quant(h, 13, 8) if accumulator_quant else h
    return b.build({"x": ["N", 2]}, b.quant(b.node(func, [h]), 3, 2, signed=int(func == "Tanh")))


@pytest.mark.parametrize("func", ["Sigmoid", "Tanh"])
@pytest.mark.parametrize("accumulator_quant", [True, False], ids=["quantized", "accumulator"])
def test_a_monotone_function_before_a_low_bit_quantizer_becomes_exact_thresholds(func, accumulator_quant):
    """Quant(Sigmoid/Tanh(h)) to 3 bits: comparisons on h, on every input code, equal to the
    function itself rounded (computed by hand), not to its table; also when h is a raw accumulator."""
    model = _table_model(func, accumulator_quant)
    fused, plain = hh.load_onnx(model), hh.load_onnx(model, thresholds=False)
    assert ops(fused)[-1] == "Threshold" and "Lookup" in ops(plain)
    xs = _input_codes()
    h = xs @ W_TABLE.astype(np.float64)                            # exact: 2^-8 grid, |h| < 16
    f = 1 / (1 + np.exp(-h)) if func == "Sigmoid" else np.tanh(h)
    lo, hi = (-1.0, 0.75) if func == "Tanh" else (0.0, 1.75)
    want = np.clip(np.round(f * 4) / 4, lo, hi)                    # ROUND: half to even
    assert_array_equal(hh.predict(fused, xs), want)


def test_exact_zeros_in_a_fused_function_chain_import():
    """Regression (found reviewing the exact-function change): a channel scaled by 0 before a
    Sigmoid holds exact zeros, whose interval frac is the ZERO_FRAC sentinel; evaluating the
    function read 0 * 2**(2**30) = NaN and the import failed.  Oracle: the function by hand."""
    b = ModelBuilder("zeros")
    h = b.node("MatMul", [b.quant("x", 10, 6), b.quant(b.const(W_TABLE), 4, 2)])
    h = b.node("Mul", [b.node("Relu", [h]), b.const(np.array([0.0, 1.0, 2.0], np.float32))])
    g = hh.load_onnx(b.build({"x": ["N", 2]}, b.quant(b.node("Sigmoid", [h]), 3, 2, signed=0)))
    assert ops(g)[-1] == "Threshold"
    xs = _input_codes()
    f = 1 / (1 + np.exp(-np.maximum(xs @ W_TABLE.astype(np.float64), 0) * np.array([0.0, 1.0, 2.0])))
    assert_array_equal(hh.predict(g, xs), np.clip(np.round(f * 4) / 4, 0, 1.75))


def test_a_declared_table_keeps_its_table_when_fused():
    model = _table_model("Sigmoid")
    name = next(n.name for n in hh.load_onnx(model, thresholds=False).nodes.values() if n.op == "Lookup")
    coarse = {name: {"table_in": hh.FixedType(True, 5, 3, "TRN", "SAT")}}    # steps of 1/4 up to 4
    fused = hh.load_onnx(model, precision=coarse)
    plain = hh.load_onnx(model, precision=coarse, thresholds=False)
    assert ops(fused)[-1] == "Threshold"
    xs = _input_codes()
    assert_array_equal(hh.predict(fused, xs), hh.predict(plain, xs))
    assert not np.array_equal(hh.predict(fused, xs), hh.predict(hh.load_onnx(model), xs))


def _multithreshold_model(cnn: bool):
    rng = np.random.default_rng(7)
    b = ModelBuilder("finn")
    x = b.quant("x", 8, 3)
    if cnn:
        h = b.node("Conv", [x, b.quant(b.const(rng.normal(0, 0.5, (3, 2, 3, 3)).astype(np.float32)), 4, 2)])
    else:
        h = b.node("MatMul", [x, b.quant(b.const(rng.normal(0, 0.5, (4, 3)).astype(np.float32)), 4, 2)])
    rows = np.sort(np.round(rng.normal(0, 3, (3, 7)) * 8) / 8, axis=1).astype(np.float32)
    y = b.node("MultiThreshold", [h, b.const(rows)], domain="qonnx.custom_op.general", out_dtype="INT4",
               out_scale=0.5, out_bias=-1.5, data_layout="NCHW" if cnn else "NC")
    return b.build({"x": ["N", 2, 5, 5] if cnn else ["N", 4]}, y)


@pytest.mark.parametrize("cnn", [False, True])
def test_finn_multithreshold_imports_exactly(cnn):
    """FINN's streamlined models hold MultiThreshold: qonnx's executor is the oracle."""
    from .test_qonnx_executor_oracle import qonnx_execute

    model = _multithreshold_model(cnn)
    g = hh.load_onnx(model)
    assert "Threshold" in ops(g)
    x = np.random.default_rng(1).normal(0, 4, (500, 2, 5, 5) if cnn else (3000, 4))
    assert_array_equal(hh.predict(g, x), qonnx_execute(model, x))


def test_fused_thresholds_are_written_as_multithreshold(tmp_path):
    """A power-of-two model with a BatchNorm (negative gammas) between quantizers: fused, then
    written by save_qonnx as MultiThreshold + per-channel step and base, which qonnx runs equal
    to hh.predict and hgq_hls reads back to the same results."""
    from .test_qonnx_executor_oracle import qonnx_execute

    rng = np.random.default_rng(3)
    b = ModelBuilder("pot_bn")
    x = b.quant("x", 8, 3)
    h = b.node("MatMul", [x, b.quant(b.const(rng.normal(0, 0.5, (4, 3)).astype(np.float32)), 4, 2)])
    gamma = np.array([1.2, -0.7, 0.9], np.float32)
    params = [gamma, rng.normal(0, .2, 3), rng.normal(0, .3, 3), rng.uniform(.5, 2, 3)]
    h = b.node("BatchNormalization", [h] + [b.const(np.asarray(p, np.float32), "bn") for p in params])
    y = b.quant(b.node("Relu", [h]), 3, 1, signed=0)
    g = hh.load_onnx(b.build({"x": ["N", 4]}, y))
    assert "Threshold" in ops(g)
    hh.save_qonnx(g, tmp_path / "t.onnx")
    import onnx

    written = onnx.load(tmp_path / "t.onnx")
    assert "MultiThreshold" in [n.op_type for n in written.graph.node]
    xs = np.random.default_rng(0).normal(0, 4, (3000, 4))
    assert_array_equal(qonnx_execute(written, xs), hh.predict(g, xs))
    assert_array_equal(hh.predict(hh.load_onnx(written), xs), hh.predict(g, xs))
