"""Hand-computed costs of single cells and ops, EBOPs, monotonicity and reuse-factor arithmetic."""

import numpy as np
import pytest

import hgq_hls as hh
from hgq_hls.lowering.csd import csd_digits
from hgq_hls.lowering.netlist import Netlist
from hgq_hls.estimate import effective_bits, load_target
from hgq_hls.estimate.netlist_cost import dsp_slices, netlist_features
from hgq_hls.frontend.onnx.builder import ModelBuilder

T = hh.FixedType
RULES = load_target("xcvu9p").coefficients("verilog", "dsp")


def features(net):
    return netlist_features(net, RULES)[0]


def keep(net, value):
    """Drive an output with ``value`` (a wide integer type: the cast is wiring), so it is live."""
    net.output("out0", [value], T(True, 24, 24))
    return value


def test_adder_of_two_8_bit_signals_is_9_bits():
    net = Netlist("t")
    a, b = net.input("a", 2, T(True, 8, 8))
    keep(net, net.add(a, b))
    assert features(net) == {"adder_bits": 9}


def test_low_bits_of_a_shifted_operand_are_wiring():
    # a + (b << 3): the 3 low bits are a's bits; the sum of [-128,127] + [-1024,1016] needs 12 bits
    net = Netlist("t")
    a, b = net.input("a", 2, T(True, 8, 8))
    keep(net, net.add(a, type(b)(b.wire, 3)))
    # bits 3..7 add two data bits, bits 8..10 add b to a's sign extension, bit 11 is b's sign
    # extension plus a's: 12 - 3 bits of adder, all with data on both sides
    assert features(net) == {"adder_bits": 12 - 3}


def test_zero_extension_and_constants_only_ride_the_carry_chain():
    # s (8-bit signed) + u (4-bit unsigned): bits 0..3 add data to data; bits 4..8 add s to
    # u's constant zero extension (carry only).  The sum [-128, 142] takes 9 bits.
    net = Netlist("t")
    (s,) = net.input("s", 1, T(True, 8, 8))
    (u,) = net.input("u", 1, T(False, 4, 4))
    keep(net, net.add(s, u))
    assert features(net) == {"adder_bits": 4, "carry_bits": 9 - 4}
    # s + 12: 12 = 0b1100, so bits 0..1 are wiring and bits 2..8 are a constant addition
    net = Netlist("t")
    (s,) = net.input("s", 1, T(True, 8, 8))
    keep(net, net.add(s, net.const(12, 0)))
    assert features(net) == {"carry_bits": 7}


def test_constant_7_is_one_subtraction():
    assert csd_digits(7) == [(-1, 0), (1, 3)]                 # 7 = 8 - 1
    net = Netlist("t")
    (x,) = net.input("x", 1, T(True, 8, 8))
    y = keep(net, net.scale(x, 7, 0))
    # the subtractor sizes its operands independently: 8*[-128, 127] - [-128, 127] = [-1151, 1144]
    # (x << 3) - x: bits 0..2 subtract x from zeros (carry chain only), bits 3..11 have data
    # on both sides
    assert (y.fmt.lo, y.fmt.hi) == (-1151, 1144)
    assert features(net) == {"adder_bits": 12 - 3, "carry_bits": 3}


def test_constant_with_one_digit_is_free():
    net = Netlist("t")
    (x,) = net.input("x", 1, T(True, 8, 8))
    keep(net, net.scale(x, 16, 0))
    assert features(net) == {}


@pytest.mark.parametrize("code_bits, expected", [(4, 4 * 1), (6, 4 * 1), (8, 4 * 4)])
def test_rom_costs_one_lut6_per_varying_bit_per_64_entries(code_bits, expected):
    # identity table on the low 4 bits: 4 output bits vary; 2**(code_bits - 6) LUT6 each above 6 bits
    t_in = T(False, code_bits, code_bits)
    table = np.arange(2 ** code_bits) % 16
    net = Netlist("t")
    (x,) = net.input("x", 1, t_in)
    net.output("out0", [net.lookup(x, t_in, T(False, 4, 4), table)], T(False, 4, 4))
    assert features(net) == {"rom_luts": expected}


def test_dsp_rule_of_yosys():
    assert dsp_slices(8, 8, 16, RULES) == 1
    assert dsp_slices(4, 4, 8, RULES) == 0          # products under 9 bits stay in fabric
    assert dsp_slices(1, 16, 17, RULES) == 0        # a 1-bit operand is an AND
    assert dsp_slices(30, 20, 50, RULES) == 2 * 2   # 27x18 tiles


def test_effective_bits_as_hgq_counts_them():
    assert effective_bits(np.array([0b001011000, 0, 1, -5, 8, 255])).tolist() == [4, 0, 1, 3, 1, 8]


def dense_model(w, in_bits, w_bits=8, frac=0):
    b = ModelBuilder("d")
    wq = b.quant(b.const((np.asarray(w, dtype=np.float64) * 2.0 ** -frac).astype(np.float32)), w_bits, frac)
    y = b.node("MatMul", [b.quant("x", in_bits, 0), wq])
    return hh.load_onnx(b.build({"x": [1, len(w)]}, y))


def test_dense_ebops_by_hand():
    # bits of the weights: 3 -> 2, 0 -> 0, 8 -> 1, -5 -> 3; 6-bit input: 6 * (2 + 0 + 1 + 3)
    g = dense_model([[3, 0], [8, -5]], in_bits=6)
    assert hh.estimate(g).ebops == 6 * 6
    assert hh.estimate(g, backend="hls").ebops == 6 * 6


def test_conv_ebops_count_every_unpadded_tap():
    # 1-D conv, kernel [1, 2, 3] (bits 1, 1, 2), length 4, pad 1: taps 0 and 2 fall in the
    # padding once each, so they are used 3 times, tap 1 four times; 5-bit input
    b = ModelBuilder("c")
    w = b.quant(b.const(np.array([[[1, 2, 3]]], dtype=np.float32)), 4, 0)
    y = b.node("Conv", [b.quant("x", 5, 0), w], kernel_shape=[3], pads=[1, 1], strides=[1])
    g = hh.load_onnx(b.build({"x": [1, 1, 4]}, y))
    assert hh.estimate(g).ebops == 5 * (3 * 1 + 4 * 1 + 3 * 2)


def test_more_input_bits_never_cost_less():
    rng = np.random.default_rng(0)
    w = rng.integers(-100, 100, (12, 6))
    for backend in ("verilog", "hls"):
        costs = [hh.estimate(dense_model(w, bits), backend=backend) for bits in range(2, 15)]
        for what in ("lut", "ff", "ebops"):
            values = [getattr(r, what) for r in costs]
            assert values == sorted(values), (backend, what, values)


def test_more_weight_bits_never_cost_less():
    rng = np.random.default_rng(1)
    base = rng.integers(-8, 8, (10, 5))
    # the same weights on ever finer grids (values unchanged, one more bit each time) and
    # ever wider weights (one more random low bit): cost never falls
    luts = []
    for extra in range(0, 6):
        w = base * 2 ** extra + rng.integers(0, 2 ** extra, base.shape)
        luts.append(hh.estimate(dense_model(w, 8, w_bits=4 + extra, frac=extra)).lut)
    assert luts == sorted(luts), luts


def test_reuse_factor_arithmetic():
    rng = np.random.default_rng(2)
    w = rng.integers(100, 500, (16, 8)) * rng.choice([-1, 1], (16, 8))   # 10-bit, never zero
    g = dense_model(w, in_bits=12, w_bits=10)
    one = hh.estimate(g, backend="hls")
    assert one.ii == 1
    for rf in (2, 3, 4, 16):
        r = hh.estimate(g, backend="hls", reuse_factor=rf)
        dense = next(n for n in r.nodes if n.op == "Dense")
        assert r.ii == rf
        assert dense.dsp == -(-16 * 8 // rf)                           # ceil(n_mult / RF)
        assert dense.latency_cycles % rf == 0
    digits = [len(csd_digits(int(m))) for m in w.reshape(-1)]
    assert next(n for n in one.nodes if n.op == "Dense").dsp == sum(d > 2 for d in digits)
    with pytest.raises(ValueError, match="reuse_factor"):
        hh.estimate(g, backend="verilog", reuse_factor=2)


def test_hls_multipliers_follow_the_bind_op_rule():
    rng = np.random.default_rng(3)
    w = rng.integers(60, 120, (4, 4))
    narrow = hh.estimate(dense_model(w, in_bits=8, w_bits=8), backend="hls")    # 8 < 9 bits: fabric
    wide = hh.estimate(dense_model(w, in_bits=9, w_bits=9), backend="hls")
    assert narrow.dsp == 0 and wide.dsp > 0


def test_logic_that_cannot_reach_an_output_costs_nothing():
    # a max whose result is cast to a width-0 type (always 0): synthesis removes it
    net = Netlist("t")
    a, b = net.input("a", 2, T(True, 8, 8))
    net.output("out0", [net.extreme(a, b, "max")], T(False, 0, 0))
    assert features(net) == {}
    net = Netlist("t")
    a, b = net.input("a", 2, T(True, 8, 8))
    net.output("out0", [net.extreme(a, b, "max")], T(True, 8, 8))
    assert features(net) == {"minmax_bits": 8}


def test_bits_nothing_reads_cost_nothing():
    # a 9-bit ReLU whose result is wrapped into 6 bits: only 6 output bits are built
    net = Netlist("t")
    (x,) = net.input("x", 1, T(True, 9, 9))
    net.output("out0", [net.relu(x)], T(False, 6, 6, "TRN", "WRAP"))
    assert features(net) == {"relu_bits": 6}


def test_cached_node_costs_follow_the_graph():
    rng = np.random.default_rng(4)
    g = dense_model(rng.integers(-100, 100, (8, 4)), in_bits=8)
    first = hh.estimate(g)
    assert hh.estimate(g).to_dict() == first.to_dict()          # second call: from the cache
    dense = next(n for n in g.nodes.values() if n.op == "Dense")
    w = g.tensors[dense.inputs[1]]
    value = np.array(w.value, dtype=np.int64)
    value[0, 0] = 85 if value[0, 0] != 85 else 127                 # 0b1010101: four digits
    w.value = value
    changed = hh.estimate(g)
    assert changed.ebops != first.ebops and changed.lut != first.lut
