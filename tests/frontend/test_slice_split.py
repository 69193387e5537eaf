"""Slice (constant starts/ends/axes/steps, negative and clamped values) and Split.

Oracles: onnxruntime on float models (pure data movement: exactly equal), qonnx's executor on
a quantized one and on its QONNX export (bit-exact).
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from onnx import TensorProto, helper

import hgq_hls as hh
from hgq_hls.errors import UnsupportedModelError
from hgq_hls.frontend.onnx.builder import ModelBuilder

from .ort_oracle import onnxruntime_per_sample
from .test_qonnx_executor_oracle import qonnx_execute

BIG = 2 ** 63 - 1
# (starts, ends, axes, steps) on a (N, 4, 6, 5) input
SLICES = [([1], [3], [1], None),                      # x[:, 1:3]
          ([0, 1], [BIG, -1], [2, 3], [2, 1]),         # x[:, :, ::2, 1:-1]
          ([-1], [-BIG], [2], [-2]),                   # x[:, :, ::-2]
          ([5, 0], [1, BIG], [-1, 0], [-1, 1]),        # reversed part of the last axis; the batch whole
          ([2], [100], [1], None)]                     # an end past the size is clamped


def _run_both(model, x):
    outs = [o.name for o in model.graph.output]
    want = [onnxruntime_per_sample(model, x, o) for o in outs]
    got = hh.predict(hh.load_onnx(model), x.astype(np.float64))
    return (got if isinstance(got, (list, tuple)) else [got]), want


def _model(nodes, inits, outputs, opset=13):
    graph = helper.make_graph(nodes, "slice", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 6, 5])],
                              [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


@pytest.mark.parametrize("starts,ends,axes,steps", SLICES)
def test_slices_match_onnxruntime(starts, ends, axes, steps):
    inits = [helper.make_tensor(k, TensorProto.INT64, [len(v)], v)
             for k, v in (("s", starts), ("e", ends), ("a", axes), ("t", steps)) if v is not None]
    inputs = ["x", "s", "e", "a"] + (["t"] if steps is not None else [])
    model = _model([helper.make_node("Slice", inputs, ["y"])], inits, ["y"])
    got, want = _run_both(model, np.random.default_rng(0).normal(0, 1, (3, 4, 6, 5)).astype(np.float32))
    assert got[0].shape == want[0].shape
    assert_array_equal(got[0], want[0])


@pytest.mark.parametrize("opset,split", [(13, [1, 3]), (13, None), (18, None)])
def test_split_matches_onnxruntime(opset, split):
    inits, inputs, attrs = [], ["x"], dict(axis=1)
    if split is not None:
        inits.append(helper.make_tensor("split", TensorProto.INT64, [2], split))
        inputs.append("split")
    if opset >= 18:
        attrs["num_outputs"] = 2
    model = _model([helper.make_node("Split", inputs, ["y0", "y1"], **attrs)], inits, ["y0", "y1"], opset)
    got, want = _run_both(model, np.random.default_rng(1).normal(0, 1, (3, 4, 6, 5)).astype(np.float32))
    for g, w in zip(got, want):
        assert_array_equal(g, w)


def test_quantized_slice_is_bit_exact(tmp_path):
    b = ModelBuilder("slice")
    x = b.quant("x", 6, 3)
    s = b.node("Slice", [x, b.const(np.array([3, -1], dtype=np.int64)), b.const(np.array([0, -BIG], dtype=np.int64)),
                         b.const(np.array([1, 2], dtype=np.int64)), b.const(np.array([-1, -2], dtype=np.int64))])
    model = b.build({"x": ["N", 4, 6]}, b.quant(b.node("Relu", [s]), 4, 2))
    xs = np.random.default_rng(2).normal(0, 2, (30, 4, 6))
    g = hh.load_onnx(model)
    want = qonnx_execute(model, xs)
    assert want.shape == (30, 3, 3)
    assert_array_equal(hh.predict(g, xs), want)
    hh.save_qonnx(g, tmp_path / "s.onnx")
    assert_array_equal(qonnx_execute(__import__("onnx").load(tmp_path / "s.onnx"), xs), want)


def test_slicing_the_batch_axis_is_refused_with_the_reason():
    inits = [helper.make_tensor(k, TensorProto.INT64, [1], v) for k, v in (("s", [1]), ("e", [2]), ("a", [0]))]
    with pytest.raises(UnsupportedModelError, match="batch axis"):
        hh.load_onnx(_model([helper.make_node("Slice", ["x", "s", "e", "a"], ["y"])], inits, ["y"]))


def test_the_slice_gradient_is_its_adjoint():
    # a slice is linear: <up, slice(x)> = <vjp(up), x> for every x and up
    from hgq_hls.ir import Node
    from hgq_hls.ir.ops.movement import take_slice
    from hgq_hls.precision.gradients import VJP

    node = Node("s", "Slice", ["x"], ["y"], dict(starts=(3, 1), steps=(-1, 2), shape=(3, 2)))
    rng = np.random.default_rng(3)
    x, up = rng.normal(size=(5, 4, 6)), rng.normal(size=(5, 3, 2))
    y = take_slice(x, node.attrs, first_axis=1)
    (grad,) = VJP["Slice"](node, [x], [y], [up])
    assert np.isclose((up * y).sum(), (grad * x).sum())
    assert y[0, 0, 1] == x[0, 3, 3] and y[0, 2, 0] == x[0, 1, 1]          # by hand


@pytest.mark.parametrize("indices,axis", [([2, 0, 1, 1], 1), (3, 2), ([[4, -1], [0, 1]], 3), ([1, 2, 3], -2)])
def test_gather_with_constant_indices_matches_onnxruntime(indices, axis):
    values = np.asarray(indices, dtype=np.int64)
    inits = [helper.make_tensor("i", TensorProto.INT64, list(values.shape), values.reshape(-1).tolist())]
    model = _model([helper.make_node("Gather", ["x", "i"], ["y"], axis=axis)], inits, ["y"])
    got, want = _run_both(model, np.random.default_rng(4).normal(0, 1, (3, 4, 6, 5)).astype(np.float32))
    assert got[0].shape == want[0].shape
    assert_array_equal(got[0], want[0])
