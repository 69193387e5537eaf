"""Per-element types in the estimate: each product counts its own input's bits.

The EBOPs oracle walks every multiplication of the layer by hand (loops over outputs, inputs
and taps; padding taps multiply nothing) with HGQ's definition of a weight's effective bits
written out independently here.
"""

import numpy as np
import pytest

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import QONNX_DOMAIN, ModelBuilder


def hgq_bits(m: int) -> int:
    """HGQ's b_w: bits from the highest to the lowest set bit of |m| (0 for 0)."""
    a = abs(int(m))
    return 0 if a == 0 else a.bit_length() - ((a & -a).bit_length() - 1)


def quant(b, x, bits, frac, signed=1):
    return b.node("Quant", [x, b.const((2.0 ** -np.asarray(frac, np.float64)).astype(np.float32)),
                            b.const(np.float32(0)), b.const(np.asarray(bits, np.float32))],
                  domain=QONNX_DOMAIN, signed=signed, narrow=0, rounding_mode="ROUND")


def weight_mantissas(g, node):
    t = g.tensors[node.inputs[1]]
    return np.asarray(t.value, dtype=np.int64)


def test_dense_ebops_count_each_input_elements_bits():
    rng = np.random.default_rng(1)
    bits = rng.integers(2, 8, (1, 5))
    bits[0, 1] = 0                                                # a pruned input
    b = ModelBuilder("d")
    w = rng.integers(-9, 10, (5, 3)) / 8
    y = b.node("MatMul", [quant(b, "x", bits, 2), quant(b, b.const(w.astype(np.float32)), 6, 3)])
    g = hh.load_onnx(b.build({"x": ["N", 5]}, y))
    node = next(n for n in g.nodes.values() if n.op == "Dense")
    wm = weight_mantissas(g, node)
    want = sum(int(bits[0, i]) * hgq_bits(wm[i, j]) for i in range(5) for j in range(3))
    assert hh.estimate(g).nodes[1].ebops == want


def test_conv_ebops_walk_every_unpadded_tap():
    rng = np.random.default_rng(2)
    c, h, w_, o, k = 4, 4, 5, 4, 3
    bits = rng.integers(0, 7, (1, c, h, w_))
    bits[bits == 1] = 2
    b = ModelBuilder("c")
    wt = rng.integers(-7, 8, (o, c // 2, k, k)) / 4
    y = b.node("Conv", [quant(b, "x", bits, 1), quant(b, b.const(wt.astype(np.float32)), 5, 2)],
               pads=[1, 0, 1, 2], strides=[1, 2], group=2, kernel_shape=[k, k])
    g = hh.load_onnx(b.build({"x": ["N", c, h, w_]}, y))
    node = next(n for n in g.nodes.values() if n.op == "Conv")
    wm = weight_mantissas(g, node)
    out_h, out_w = g.tensors[node.outputs[0]].shape[1:]
    want = 0
    for oc in range(o):
        group = oc // (o // 2)
        for oh in range(out_h):
            for ow in range(out_w):
                for cl in range(c // 2):
                    for kh in range(k):
                        for kw in range(k):
                            ih, iw = oh * 1 - 1 + kh, ow * 2 - 0 + kw
                            if 0 <= ih < h and 0 <= iw < w_:
                                want += int(bits[0, group * (c // 2) + cl, ih, iw]) * hgq_bits(wm[oc, cl, kh, kw])
    assert hh.estimate(g).nodes[1].ebops == want


def test_uniform_element_types_cost_what_one_type_costs():
    rng = np.random.default_rng(3)
    w = (rng.integers(-9, 10, (6, 4)) / 8).astype(np.float32)

    def model(bits):
        b = ModelBuilder("u")
        y = b.node("MatMul", [quant(b, "x", bits, 3), quant(b, b.const(w), 6, 3)])
        return hh.load_onnx(b.build({"x": ["N", 6]}, quant(b, y, 10, 3)))

    per_tensor, per_element = model(6), model(np.full((1, 6), 6))
    assert per_element.tensors[per_element.inputs[0]].entry_elements is not None
    assert hh.estimate(per_element).ebops == hh.estimate(per_tensor).ebops
    assert hh.estimate(per_element).lut == hh.estimate(per_tensor).lut


@pytest.mark.parametrize("backend", ["verilog", "hls"])
def test_estimate_falls_as_element_widths_fall(backend):
    """Narrowing any one element (down to pruning it) never costs more."""
    rng = np.random.default_rng(4)
    w = (rng.normal(0, 1, (8, 4))).astype(np.float32)

    def cost(bits):
        b = ModelBuilder("m")
        h = b.node("Relu", [b.node("MatMul", [quant(b, "x", bits[None], 3), quant(b, b.const(w), 6, 4)])])
        g = hh.load_onnx(b.build({"x": ["N", 8]}, quant(b, h, np.full((1, 4), 6), 2, signed=0)))
        r = hh.estimate(g, backend=backend)
        return r.lut, r.ebops

    bits = np.full(8, 8)
    previous = cost(bits)
    for e in rng.permutation(8):
        for narrower in (5, 3, 0):
            bits[e] = narrower
            now = cost(bits)
            assert now[0] <= previous[0] and now[1] <= previous[1], (bits, now, previous)
            previous = now
    assert previous[1] == 0                       # every input pruned: nothing multiplies
