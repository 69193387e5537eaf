"""Per-element types (HGQ granularity) on import and in hh.predict.

The oracle is qonnx's own scalar quantizer (``qonnx.custom_op.general.quant.quant``) applied
to each element with that element's scale and bit width; a width-0 element is pruned, so its
value is 0 by definition.  qonnx cannot run a tensor bit width itself (``int_quant`` tests
``bitwidth == 1`` on an array), which is why the compact form is checked element by element.
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import hgq_hls as hh
from hgq_hls.fixed import ElementTypes
from hgq_hls.frontend.onnx.builder import QONNX_DOMAIN, ModelBuilder

MODES = ["ROUND", "FLOOR", "HALF_UP", "HALF_DOWN", "DOWN"]


def qonnx_scalar_quant(x, scale, bits, signed, narrow, mode):
    """qonnx's quantizer for one element's parameters (0 bits: pruned, 0)."""
    from qonnx.custom_op.general.quant import quant

    if bits == 0:
        return np.zeros_like(x)
    return quant(x, np.float64(scale), np.float64(0), np.float64(bits), signed, narrow, mode)


def per_element_oracle(x, scale, bits, signed, narrow, mode):
    """Each element of ``x`` (batch first) through qonnx's scalar quantizer, with its own
    scale and bit width (both broadcast to one sample)."""
    shape = x.shape[1:]
    scale, bits = np.broadcast_to(scale, shape), np.broadcast_to(bits, shape)
    out = np.empty_like(x)
    for e in np.ndindex(*shape):
        out[(slice(None),) + e] = qonnx_scalar_quant(x[(slice(None),) + e], float(scale[e]),
                                                     int(bits[e]), signed, narrow, mode)
    return out


def quant(b, x, scale, bits, signed=1, narrow=0, mode="ROUND"):
    return b.node("Quant", [x, b.const(np.asarray(scale, np.float32)), b.const(np.float32(0)),
                            b.const(np.asarray(bits, np.float32))],
                  domain=QONNX_DOMAIN, signed=signed, narrow=narrow, rounding_mode=mode)


def inputs(rng, shape, n=400):
    """Normal values spilling past the ranges, plus exact ties of fine grids."""
    x = rng.normal(0, 6, (n, *shape))
    ties = rng.random(x.shape) < 0.4
    x[ties] = (np.round(x[ties] * 8) + 0.5) / 8
    return x.astype(np.float32).astype(np.float64)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("signed,narrow", [(1, 0), (0, 0), (1, 1)])
def test_activation_quantizer_with_per_element_bits_and_scales(mode, signed, narrow):
    rng = np.random.default_rng(MODES.index(mode) * 7 + signed * 3 + narrow)
    shape = (3, 4)
    bits = rng.integers(2 if signed else 1, 9, shape)
    bits[rng.random(shape) < 0.2] = 0                                     # pruned elements
    scale = 2.0 ** -rng.integers(-2, 5, (3, 1)).astype(np.float64)       # per row, broadcast
    b = ModelBuilder("pe_act")
    model = b.build({"x": ["N", *shape]}, quant(b, "x", scale, bits, signed, narrow, mode))
    g = hh.load_onnx(model)
    x = inputs(rng, shape)
    assert_array_equal(hh.predict(g, x), per_element_oracle(x, scale, bits, signed, narrow, mode))
    et = g.tensors[g.outputs[0]].element_types
    assert isinstance(et, ElementTypes) and et.pruned.sum() == (bits == 0).sum()
    assert_array_equal(et.width, bits)


def test_per_element_weights_and_activations_through_a_dense_layer():
    """x (per-element) @ w (per-element, some pruned) -> per-element output quantizer, against
    the same chain computed with qonnx's scalar quantizer per element and a float64 matmul
    (exact: every product and sum fits 53 bits)."""
    rng = np.random.default_rng(11)
    bx, fx = rng.integers(2, 8, (1, 6)), rng.integers(-1, 4, (1, 6))
    w = rng.normal(0, 1, (6, 4))
    bw, fw = rng.integers(0, 6, (6, 4)), rng.integers(0, 4, (6, 4))
    bw[bw == 1] = 2                                                       # signed: no 1-bit
    by, fy = np.array([[6, 5, 0, 8]]), np.array([[2, 3, 0, 1]])
    b = ModelBuilder("pe_dense")
    h = b.node("MatMul", [quant(b, "x", 2.0 ** -fx, bx), quant(b, b.const(w.astype(np.float32)), 2.0 ** -fw, bw)])
    g = hh.load_onnx(b.build({"x": ["N", 6]}, quant(b, h, 2.0 ** -fy, by)))
    x = inputs(rng, (6,))
    xq = per_element_oracle(x, 2.0 ** -fx[0], bx[0], 1, 0, "ROUND")
    wq = per_element_oracle(w.astype(np.float32).astype(np.float64)[None], 2.0 ** -fw, bw, 1, 0, "ROUND")[0]
    want = per_element_oracle(xq @ wq, 2.0 ** -fy[0], by[0], 1, 0, "ROUND")
    assert_array_equal(hh.predict(g, x), want)
    weight = g.tensors[g.nodes["MatMul_4"].inputs[1]] if "MatMul_4" in g.nodes else \
        g.tensors[next(n for n in g.nodes.values() if n.op == "Dense").inputs[1]]
    assert weight.element_types is not None and int(weight.element_types.pruned.sum()) == int((bw == 0).sum())
    assert "per-element" in str(g) and "pruned" in str(g)


def test_per_element_intervals_size_the_accumulator_from_each_input():
    """A 1-bit-wide element feeds less range than a 7-bit one: the interval is per element."""
    b = ModelBuilder("pe_iv")
    g = hh.load_onnx(b.build({"x": ["N", 2]}, quant(b, "x", [[1.0, 1.0]], [[2, 7]])))
    iv = g.tensors[g.outputs[0]].interval
    assert [int(v) for v in iv.lo] == [-2, -64] and [int(v) for v in iv.hi] == [1, 63]


def test_bad_bit_width_tensors_are_named():
    b = ModelBuilder("pe_bad")
    model = b.build({"x": ["N", 2]}, quant(b, "x", 1.0, [[3, 2.5]]))
    with pytest.raises(hh.UnsupportedModelError, match="bitwidth must hold integers"):
        hh.load_onnx(model)
    b = ModelBuilder("pe_bad2")
    model = b.build({"x": ["N", 2]}, quant(b, "x", 1.0, [[3, 1]]))
    with pytest.raises(hh.UnsupportedModelError, match="1-bit"):
        hh.load_onnx(model)
    b = ModelBuilder("pe_bad3")
    model = b.build({"x": ["N", 2]}, quant(b, "x", 1.0, [[3, 4, 5]]))
    with pytest.raises(hh.UnsupportedModelError, match="bitwidth of shape"):
        hh.load_onnx(model)


def portable(b, x, frac, k, i, mode="ROUND"):
    """training_side.md §6.2 B: Quant(2**-f_e, wide scalar bitwidth) -> Min(hi_e) -> Max(lo_e)
    with hi_e = 2**i_e - 2**-f_e and lo_e = -k_e 2**i_e (hi = lo = 0: pruned)."""
    pruned = k + i + frac == 0
    hi = np.where(pruned, 0.0, 2.0 ** i - 2.0 ** -frac)
    lo = np.where(pruned, 0.0, -k * 2.0 ** i)
    wide = int((k + i + frac).max()) + 1
    q = quant(b, x, 2.0 ** -frac, wide, 1, 0, mode)
    return b.node("Max", [b.node("Min", [q, b.const(hi.astype(np.float32))]), b.const(lo.astype(np.float32))])


def per_element_kif(rng, shape):
    k = rng.integers(0, 2, shape)
    i = rng.integers(-1, 4, shape)
    f = rng.integers(0, 4, shape)
    f = np.maximum(f, 1 - k - i)                            # at least one bit
    dead = rng.random(shape) < 0.2
    k, i, f = np.where(dead, 0, k), np.where(dead, 0, i), np.where(dead, 0, f)
    return k, i, f


@pytest.mark.parametrize("mode", ["ROUND", "FLOOR", "HALF_UP"])
def test_portable_form_runs_in_qonnx_and_fuses_to_the_compact_types(mode):
    """qonnx's executor runs the portable form itself: hh.predict must equal it, and the
    importer must see one quantizer whose types are exactly the (k, i, f) that were encoded."""
    from tests.frontend.test_qonnx_executor_oracle import qonnx_execute

    rng = np.random.default_rng(["ROUND", "FLOOR", "HALF_UP"].index(mode))
    shape = (2, 5)
    k, i, f = per_element_kif(rng, shape)
    b = ModelBuilder("portable")
    model = b.build({"x": ["N", *shape]}, portable(b, "x", f, k, i, mode))
    g = hh.load_onnx(model)
    assert [n.op for n in g.topological()] == ["Quantize"]
    et = g.tensors[g.outputs[0]].element_types
    assert_array_equal(et.width, k + i + f)
    assert_array_equal(et.signed[~et.pruned], (k == 1)[~et.pruned])
    assert_array_equal(et.frac[~et.pruned], f[~et.pruned])
    x = inputs(rng, shape, n=500)
    assert_array_equal(hh.predict(g, x), qonnx_execute(model, x))


def test_clamps_that_are_no_type_stay_exact():
    """Bounds off the grid, or not 2**n - 1 wide, leave Quantize -> Clip as it is."""
    from tests.frontend.test_qonnx_executor_oracle import qonnx_execute

    b = ModelBuilder("odd_clamp")
    q = quant(b, "x", 0.25, 8)
    y = b.node("Max", [b.node("Min", [q, b.const(np.array([[1.5, 0.3]], np.float32))]),
                       b.const(np.array([[-1.0, -2.0]], np.float32))])
    model = b.build({"x": ["N", 2]}, y)
    g = hh.load_onnx(model)
    assert [n.op for n in g.topological()] == ["Quantize", "Clip", "Clip"]
    x = inputs(np.random.default_rng(5), (2,))
    assert_array_equal(hh.predict(g, x), qonnx_execute(model, x))


def test_scalar_clamps_narrow_a_per_tensor_quantizer():
    b = ModelBuilder("narrow")
    y = b.node("Max", [b.node("Min", [quant(b, "x", 0.125, 10), b.const(np.float32(0.875))]),
                       b.const(np.float32(-1.0))])
    g = hh.load_onnx(b.build({"x": ["N", 3]}, y))
    assert [n.op for n in g.topological()] == ["Quantize"]
    assert g.tensors[g.outputs[0]].type == hh.FixedType(True, 4, 1, "RND_CONV", "SAT")


def _per_element_models():
    from tests.backends.hls_models import MODELS

    return {name: MODELS[name] for name in ("per_element_mlp", "per_element_cnn")}


@pytest.mark.parametrize("form", ["portable", "compact"])
@pytest.mark.parametrize("name", ["per_element_mlp", "per_element_cnn"])
def test_save_qonnx_round_trips_per_element_types(name, form, tmp_path):
    """Written in either form and read back: the same nodes, the same per-element activation
    types, the same outputs; the portable form also runs in qonnx's executor, equal."""
    from tests.frontend.test_qonnx_executor_oracle import qonnx_execute

    g = _per_element_models()[name]()
    model = hh.save_qonnx(g, tmp_path / "m.onnx", per_element=form)
    back = hh.load_onnx(tmp_path / "m.onnx")
    assert [(n.name, n.op) for n in back.topological()] == [(n.name, n.op) for n in g.topological()]
    for t, tensor in g.tensors.items():
        if not tensor.is_const:
            assert back.tensors[t].element_types == tensor.element_types, t
            assert back.tensors[t].type == tensor.type, t
    if form == "compact":                       # weights keep their per-element types too
        for t, tensor in g.tensors.items():
            if tensor.is_const and tensor.element_types is not None:
                assert back.tensors[t].element_types == tensor.element_types, t
    rng = np.random.default_rng(3)
    x = inputs(rng, g.tensors[g.inputs[0]].shape, n=200)
    assert_array_equal(hh.predict(back, x), hh.predict(g, x))
    if form == "portable":
        assert_array_equal(qonnx_execute(model, x), hh.predict(g, x))
    else:
        assert any(len(i.dims) > 0 for i in model.graph.initializer if i.name.endswith("_bits"))


def test_unknown_per_element_form_is_refused(tmp_path):
    g = _per_element_models()["per_element_mlp"]()
    with pytest.raises(hh.ArgumentError, match="per_element"):
        hh.save_qonnx(g, tmp_path / "m.onnx", per_element="dense")
