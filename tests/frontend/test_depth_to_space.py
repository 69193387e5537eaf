"""DepthToSpace (DCR, CRD) and SpaceToDepth, imported as reshape-transpose-reshape.

Oracles: onnxruntime on the float models (pure data movement: exactly equal), qonnx's executor
on a quantized one (bit-exact).
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

CASES = [("DepthToSpace", dict(blocksize=2, mode="DCR"), [1, 8, 3, 2]),
         ("DepthToSpace", dict(blocksize=2, mode="CRD"), [1, 8, 3, 2]),
         ("DepthToSpace", dict(blocksize=3), [1, 9, 2, 2]),           # DCR by default
         ("SpaceToDepth", dict(blocksize=2), [1, 3, 4, 6])]


def _float_model(op, attrs, shape):
    node = helper.make_node(op, ["x"], ["y"], **attrs)
    graph = helper.make_graph([node], "d2s", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


@pytest.mark.parametrize("op,attrs,shape", CASES)
def test_rearrangements_match_onnxruntime(op, attrs, shape):
    model = _float_model(op, attrs, shape)
    x = np.random.default_rng(0).normal(0, 1, [4] + shape[1:]).astype(np.float32)
    want = onnxruntime_per_sample(model, x)
    assert_array_equal(hh.predict(hh.load_onnx(model), x.astype(np.float64)), want)


def test_quantized_depth_to_space_is_bit_exact(tmp_path):
    b = ModelBuilder("d2s")
    h = b.node("DepthToSpace", [b.quant("x", 6, 3)], blocksize=2, mode="CRD")
    model = b.build({"x": ["N", 8, 3, 2]}, b.quant(h, 4, 2))
    xs = np.random.default_rng(1).normal(0, 2, (30, 8, 3, 2))
    g = hh.load_onnx(model)
    want = qonnx_execute(model, xs)
    assert_array_equal(hh.predict(g, xs), want)
    hh.save_qonnx(g, tmp_path / "d2s.onnx")
    assert_array_equal(qonnx_execute(__import__("onnx").load(tmp_path / "d2s.onnx"), xs), want)


def test_a_channel_count_that_does_not_divide_is_named():
    with pytest.raises(UnsupportedModelError, match="not a multiple of blocksize"):
        hh.load_onnx(_float_model("DepthToSpace", dict(blocksize=2), [1, 6, 2, 2]))
