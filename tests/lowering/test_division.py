"""The firmware's division (magic multiply, shift, sticky bit) equals the exact one.

``divide_by_plan`` is the arithmetic both backends emit; the netlist of a Requantize node,
run by a direct cell interpreter, must give ``hh.predict``'s values on every input code.
The exact side (``divide_cast``) is itself checked against ``fractions`` in
tests/fixed/test_division.py.
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import hgq_hls as hh
from hgq_hls.fixed import FixedType, cast, from_mantissa
from hgq_hls.fixed.division import divide_cast
from hgq_hls.frontend.onnx.builder import QONNX_DOMAIN, ModelBuilder
from hgq_hls.lowering.division import divide_by_plan, plan_division
from hgq_hls.lowering.ops import node_netlist

from .netlist_eval import evaluate


@pytest.mark.parametrize("rounding", ["TRN", "RND", "RND_CONV", "RND_ZERO", "TRN_ZERO", "RND_INF"])
def test_plan_divides_every_value_in_range(rounding):
    rng = np.random.default_rng(len(rounding))
    for _ in range(40):
        t = FixedType(bool(rng.integers(2)), int(rng.integers(2, 12)), int(rng.integers(-4, 10)), rounding, "SAT")
        lo = int(rng.integers(-3000, 100))
        hi, frac = lo + int(rng.integers(0, 2000)), int(rng.integers(-3, 8))
        d = int(rng.integers(1, 300)) << int(rng.integers(0, 4))
        plan = plan_division(lo, hi, frac, d, t)
        xs = np.arange(lo, hi + 1)
        pairs = [divide_by_plan(int(x), plan) for x in xs]
        doubled = np.array([2 * q + int(s) for q, s in pairs], dtype=object)
        assert_array_equal(cast(doubled, plan.quotient_frac + 1, t), divide_cast(xs, frac, d, t))


def test_plan_at_accumulator_widths():
    """A 40-bit accumulator divided by a float32 scale's 24-bit odd part: the extremes and
    random values (the magic constant's bound is tight at the top of the range); to a narrow
    saturating type (fine bits dropped into the sticky bit) and to a wide wrapping one."""
    lo, hi, frac = -(1 << 39), (1 << 39) - 1, 20
    t = FixedType(True, 8, 4, "RND_CONV", "SAT")
    d = 0x9A3C4B | 1
    plan = plan_division(lo, hi, frac, d, t)
    rng = np.random.default_rng(0)
    xs = [lo, lo + 1, hi, hi - 1, 0, -1] + [int(v) for v in rng.integers(lo, hi, 2000)]
    assert plan.drop > 0                 # the accumulator's fine bits only feed the sticky bit
    pairs = [divide_by_plan(x, plan) for x in xs]
    doubled = np.array([2 * q + int(s) for q, s in pairs], dtype=object)
    assert_array_equal(cast(doubled, plan.quotient_frac + 1, t),
                       divide_cast(np.array(xs, dtype=object), frac, d, t))
    # and the wide-open case: no saturation, every quotient bit kept
    wrap = t.replace(overflow="WRAP", width=64)
    plan = plan_division(lo, hi, frac, d, wrap)
    pairs = [divide_by_plan(x, plan) for x in xs]
    doubled = np.array([2 * q + int(s) for q, s in pairs], dtype=object)
    assert_array_equal(cast(doubled, plan.quotient_frac + 1, wrap),
                       divide_cast(np.array(xs, dtype=object), frac, d, wrap))


def _requantize_model(scale, bits=5, in_bits=8, in_frac=3, mode="ROUND"):
    b = ModelBuilder("requantize")
    x = b.quant("x", in_bits, in_frac)
    y = b.node("Quant", [x, b.const(np.asarray(scale, np.float32)), b.const(np.float32(0)),
                         b.const(np.float32(bits))], domain=QONNX_DOMAIN, signed=1, narrow=0, rounding_mode=mode)
    return hh.load_onnx(b.build({"x": ["N", np.size(scale)]}, y))


@pytest.mark.parametrize("mode", ["ROUND", "FLOOR", "HALF_UP"])
def test_requantize_netlist_equals_reference_on_every_code(mode):
    g = _requantize_model([0.3, 0.7, 1.1, 0.05, 0.375], mode=mode)
    node = next(n for n in g.nodes.values() if n.op == "Requantize")
    net = node_netlist(g, node, "requantize")
    in_type = g.tensors[node.inputs[0]].type
    codes = np.arange(in_type.min_mantissa, in_type.max_mantissa + 1)
    got = np.array([[m * 2.0 ** -f for m, f in evaluate(net, {"in0": [c] * 5})["out0"]] for c in codes])
    x = np.repeat(from_mantissa(codes, in_type.frac)[:, None], 5, axis=1)
    assert_array_equal(got, hh.predict(g, x, trace=True)[node.outputs[0]])


def test_requantize_netlist_drops_fine_input_bits_exactly():
    """A 16-bit input on a 2^-8 grid divided by scales 48 and 80 (3 * 2^4, 5 * 2^4) and 0.3f:
    the input's low bits only feed the sticky bit; ties (x = (k + 1/2) * s) included."""
    b = ModelBuilder("requantize_fine")
    x = b.quant("x", 16, 8)
    y = b.node("Quant", [x, b.const(np.array([48.0, 80.0, np.float32(0.3)], np.float32)),
                         b.const(np.float32(0)), b.const(np.float32(3))], domain=QONNX_DOMAIN,
               signed=1, narrow=0, rounding_mode="ROUND")
    g = hh.load_onnx(b.build({"x": ["N", 3]}, y))
    node = next(n for n in g.nodes.values() if n.op == "Requantize")
    net = node_netlist(g, node, "requantize")
    in_type = g.tensors[node.inputs[0]].type
    rng = np.random.default_rng(0)
    ties = [int(k * 24 * 256) for k in range(-5, 6)] + [int(k * 40 * 256) for k in range(-3, 4)]
    codes = np.unique(np.concatenate([rng.integers(in_type.min_mantissa, in_type.max_mantissa, 1500),
                                      [in_type.min_mantissa, in_type.max_mantissa, 0, 1, -1], ties]))
    got = np.array([[m * 2.0 ** -f for m, f in evaluate(net, {"in0": [c] * 3})["out0"]] for c in codes])
    x = np.repeat(from_mantissa(codes, in_type.frac)[:, None], 3, axis=1)
    assert_array_equal(got, hh.predict(g, x, trace=True)[node.outputs[0]])
