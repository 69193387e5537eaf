"""ReduceMean / ReduceSum / ReduceMax over the trailing axes of a sample (global pooling, as
torch exports ``mean(dim=...)`` and ``AdaptiveAvgPool2d(1)``).

Oracles: onnxruntime on the float models (within float rounding), qonnx's executor on
quantized ones (bit-exact: small fixed-point values are exact in float32).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from onnx import TensorProto, helper

import hgq_hls as hh
from hgq_hls.errors import UnsupportedModelError
from hgq_hls.frontend.onnx.builder import ModelBuilder

from .ort_oracle import onnxruntime_per_sample
from .test_qonnx_executor_oracle import qonnx_execute

# (op, input shape, axes, keepdims, opset): axes as an attribute before opset 18 (13 for ReduceSum)
CASES = [("ReduceMean", [1, 3, 4, 5], [2, 3], 1, 13),          # AdaptiveAvgPool2d(1)
         ("ReduceMean", [1, 3, 4, 5], [-2, -1], 0, 18),        # mean(dim=(-2, -1)), axes as input
         ("ReduceMean", [1, 6, 5], [2], 0, 17),
         ("ReduceMean", [1, 7], [1], 1, 13),                   # a mean of every feature
         ("ReduceSum", [1, 3, 4, 5], [3], 1, 13),
         ("ReduceSum", [1, 6], [-1], 0, 18),
         ("ReduceMax", [1, 3, 4, 5], [2, 3], 0, 13),
         ("ReduceMax", [1, 2, 3, 4], [1, 2, 3], 1, 18)]


def _float_model(op, shape, axes, keepdims, opset):
    inits, inputs, attrs = [], ["x"], dict(keepdims=keepdims)
    if opset >= 18 or (op == "ReduceSum" and opset >= 13):
        inits.append(helper.make_tensor("axes", TensorProto.INT64, [len(axes)], axes))
        inputs.append("axes")
    else:
        attrs["axes"] = axes
    node = helper.make_node(op, inputs, ["y"], **attrs)
    graph = helper.make_graph([node], "reduce", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


@pytest.mark.parametrize("op,shape,axes,keepdims,opset", CASES)
def test_reductions_match_onnxruntime(op, shape, axes, keepdims, opset):
    model = _float_model(op, shape, axes, keepdims, opset)
    x = np.random.default_rng(1).normal(0, 1, [6] + shape[1:]).astype(np.float32)
    want = onnxruntime_per_sample(model, x)
    got = hh.predict(hh.load_onnx(model), x.astype(np.float64))
    assert got.shape == want.shape
    assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("op", ["ReduceMean", "ReduceSum", "ReduceMax"])
def test_quantized_reductions_are_bit_exact(op, tmp_path):
    # the mean of 4 x 5 = 20 values: 1/20 is no power of two, so the scale's type matters
    rng = np.random.default_rng(2)
    b = ModelBuilder("reduce")
    x = b.quant("x", 6, 3)
    if op == "ReduceSum":                   # its axes are an input from opset 13 on
        h = b.node(op, [x, b.const(np.array([2, 3], dtype=np.int64))], keepdims=0)
    else:
        h = b.node(op, [x], axes=[2, 3], keepdims=0)
    model = b.build({"x": ["N", 3, 4, 5]}, b.quant(h, 12, 8))          # opset 13: axes an attribute
    xs = rng.normal(0, 3, (40, 3, 4, 5))
    g = hh.load_onnx(model)
    want = qonnx_execute(model, xs)
    assert_array_equal(hh.predict(g, xs), want)
    hh.save_qonnx(g, tmp_path / "r.onnx")              # and exported back to QONNX
    assert_array_equal(qonnx_execute(__import__("onnx").load(tmp_path / "r.onnx"), xs), want)


@pytest.mark.parametrize("axes,reason", [([1], "only trailing axes"), ([0, 2], "batch axis")])
def test_unsupported_reductions_name_node_and_reason(axes, reason):
    model = _float_model("ReduceMean", [1, 3, 4], axes, 1, 13)
    with pytest.raises(UnsupportedModelError, match=reason) as err:
        hh.load_onnx(model)
    assert "ReduceMean" in str(err.value)


@pytest.mark.slow
def test_a_global_pooling_cnn_from_torchs_default_exporter(tmp_path):
    # the dynamo exporter (torch's default) writes AdaptiveAvgPool2d(1) as ReduceMean; oracle:
    # torch's own forward pass
    import onnx
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1),
                              torch.nn.Flatten(), torch.nn.Linear(4, 3)).eval()
    x = torch.randn(6, 2, 8, 8)
    torch.onnx.export(net, (x[:1],), tmp_path / "net.onnx", dynamo=True, input_names=["x"])
    model = onnx.load(tmp_path / "net.onnx")
    assert "ReduceMean" in {n.op_type for n in model.graph.node}
    with torch.no_grad():
        want = net(x).numpy()
    got = hh.predict(hh.load_onnx(model), x.numpy().astype(np.float64))
    assert_allclose(got, want, rtol=1e-5, atol=1e-6)
