"""Importer-chosen tables (Sigmoid, Tanh, Softmax, the LSTM gates...) follow the asked ``default_type``:
their index takes the default's fractional bits (up to 12 bits wide), their entries its width,
so the error against onnxruntime falls as the types widen; a per-node ``precision`` still wins."""

import numpy as np

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder
from tests.frontend.ort_oracle import onnxruntime_per_sample


def _heads():
    b = ModelBuilder("heads")
    return b.build({"x": ["N", 8]}, b.node("Concat", [b.node("Sigmoid", ["x"]), b.node("Tanh", ["x"])], axis=1))


def _errors(model, t: hh.FixedType, x, want, **kw):
    g = hh.load_onnx(model, input_type=t, default_type=t, **kw)
    err = np.abs(hh.predict(g, x) - want)
    return g, err[:, :8].max(), err[:, 8:].max()


def test_table_error_falls_as_the_default_type_widens():
    model = _heads()
    x = np.random.default_rng(0).normal(0, 3, (4000, 8)).astype(np.float32)
    want = onnxruntime_per_sample(model, x)
    narrow = _errors(model, hh.FixedType(True, 12, 5, "RND", "SAT"), x, want)
    g, sig, tanh = _errors(model, hh.FixedType(True, 24, 8, "RND", "SAT"), x, want)
    lookups = [n for n in g.nodes.values() if n.op == "Lookup"]
    # index ap_fixed<12,4,RND>: 2^-8 steps, half of one at most after rounding; entries 24 bits
    assert {n.attrs["in_type"] for n in lookups} == {hh.FixedType(True, 12, 4, "RND", "SAT")}
    assert {n.attrs["out_type"].width for n in lookups} == {24}
    # max slope 1/4 (sigmoid) and 1 (tanh) times 2^-9, plus the entry's and the output's rounding
    assert sig <= 2 ** -11 + 2 ** -16 and tanh <= 2 ** -9 + 2 ** -15
    assert sig < narrow[1] and tanh < narrow[2]
    # the defaults before this rule: 2^-6 truncated index steps, 6.1e-3 for tanh at 24 bits
    assert tanh < 2.5e-3


def test_a_per_node_table_type_still_wins():
    model = _heads()
    t = hh.FixedType(True, 24, 8, "RND", "SAT")
    tanh = next(n.name for n in hh.load_onnx(model).nodes.values() if n.op == "Lookup" and n.attrs["func"] == "tanh")
    small = hh.FixedType(True, 8, 4, "TRN", "SAT")
    g = hh.load_onnx(model, input_type=t, default_type=t, precision={tanh: {"table_in": small}})
    assert g.nodes[tanh].attrs["in_type"] == small


def test_softmax_tables_follow_the_default_type_too():
    b = ModelBuilder("softmax")
    model = b.build({"x": ["N", 6]}, b.node("Softmax", ["x"], axis=-1))
    x = np.random.default_rng(1).normal(0, 2, (4000, 6)).astype(np.float32)
    want = onnxruntime_per_sample(model, x)
    errors = []
    for t in (hh.FixedType(True, 12, 5, "RND", "SAT"), hh.FixedType(True, 24, 8, "RND", "SAT")):
        g = hh.load_onnx(model, input_type=t, default_type=t)
        errors.append(np.abs(hh.predict(g, x) - want).max())
    node = next(n for n in g.nodes.values() if n.op == "Softmax")
    assert node.attrs["exp_in"] == hh.FixedType(False, 12, 4, "RND", "SAT")
    assert node.attrs["exp_out"].width == node.attrs["inv_out"].width == 24
    assert errors[1] < errors[0] and errors[1] < 3e-3, errors
