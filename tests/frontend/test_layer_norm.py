"""LayerNormalization: exact means, an exact square, and 1/sqrt(var + eps) by table.

Oracles: onnxruntime and torch on float models (float32 accuracy), and on a quantized model the
declared semantics computed by hand in numpy: with n = 4 elements per row every mean, square
and product is exact in float64, so the only roundings are the table's (its input cast RND/SAT
to ap_ufixed<12,4>, its entry RND_CONV/SAT to ap_ufixed<18,9>) and the output quantizer's.
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from onnx import TensorProto, helper, numpy_helper

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder

from .ort_oracle import onnxruntime_per_sample

SCALE = np.array([1.0, -0.5, 2.0, 0.25], dtype=np.float32)
BIAS = np.array([0.5, 0.0, -1.0, 0.25], dtype=np.float32)


def _onnx_layer_norm(shape, axis=-1, bias=True, eps=1e-5):
    n = int(np.prod(shape[axis:])) if axis < 0 else int(np.prod(shape[axis:]))
    scale = np.linspace(-1.5, 2.0, n, dtype=np.float32).reshape(shape[axis:])
    inputs, consts = ["x", "scale"], [numpy_helper.from_array(scale, "scale")]
    if bias:
        inputs.append("b")
        consts.append(numpy_helper.from_array(np.linspace(0.5, -0.5, n, dtype=np.float32).reshape(shape[axis:]), "b"))
    node = helper.make_node("LayerNormalization", inputs, ["y"], axis=axis, epsilon=eps)
    graph = helper.make_graph([node], "ln", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], consts)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("shape, axis, bias", [((1, 3, 8), -1, True), ((1, 2, 3, 4), -2, False),
                                               ((1, 5), 1, True)])
def test_float_layer_norm_matches_onnxruntime(shape, axis, bias):
    model = _onnx_layer_norm(shape, axis, bias)
    x = np.random.default_rng(0).normal(1, 3, (40,) + shape[1:]).astype(np.float32)
    got = hh.predict(hh.load_onnx(model), x.astype(np.float64))
    np.testing.assert_allclose(got, onnxruntime_per_sample(model, x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dynamo", [True, False], ids=["dynamo", "torchscript"])
def test_torch_layer_norm_matches_torch(dynamo):
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.LayerNorm(8), torch.nn.ReLU()).eval()
    with torch.no_grad():
        net[1].weight.uniform_(-2, 2)
        net[1].bias.uniform_(-1, 1)
    x = torch.randn(30, 6)
    with torch.no_grad():
        want = net(x).numpy()
    g = hh.load_torch(net, x[:1], dynamo=dynamo)
    np.testing.assert_allclose(hh.predict(g, x.numpy().astype(np.float64)), want, rtol=1e-5, atol=1e-5)


def _round_half_up(v, lsb):
    return np.floor(v / lsb + 0.5) * lsb


def _quantized_model():
    b = ModelBuilder("ln")
    node = helper.make_node("LayerNormalization", [b.quant("x", 6, 3), b.const(SCALE), b.const(BIAS)], ["ln"],
                            axis=-1, epsilon=1e-3)
    b.nodes.append(node)
    return b.build({"x": ["N", 3, 4]}, b.quant("ln", 12, 5, mode="FLOOR"))


def test_quantized_layer_norm_equals_the_declared_semantics():
    x = np.random.default_rng(1).normal(0, 2, (300, 3, 4))
    g = hh.load_onnx(_quantized_model())
    # by hand: the input quantizer (6 bits, scale 2^-3, ROUND = half-even, saturating)
    q = np.clip(np.round(x * 8) / 8, -4, 4 - 2.0 ** -3)
    d = q - q.mean(axis=-1, keepdims=True)                       # n = 4: exact in float64
    var = (d * d).mean(axis=-1, keepdims=True)
    code = np.clip(_round_half_up(var, 2.0 ** -8), 0, 16 - 2.0 ** -8)      # table input ap_ufixed<12,4,RND,SAT>
    inv = np.clip(np.round(1 / np.sqrt(code + 1e-3) * 2 ** 9) / 2 ** 9, 0, 512 - 2.0 ** -9)  # RND_CONV, SAT
    y = d * inv * SCALE.astype(np.float64) + BIAS.astype(np.float64)
    want = np.clip(np.floor(y * 2 ** 5) / 2 ** 5, -64, 64 - 2.0 ** -5)       # output Quant 12 bits, scale 2^-5, FLOOR
    assert_array_equal(hh.predict(g, x), want)


def test_wider_table_types_shrink_the_error():
    model = _onnx_layer_norm((1, 3, 8))
    x = np.random.default_rng(2).normal(0, 2, (200, 3, 8)).astype(np.float32)
    want = onnxruntime_per_sample(model, x)
    wide = hh.FixedType(True, 32, 10, "RND", "SAT")
    errors = []
    for table_in, table_out in [("ap_ufixed<8,4,AP_RND,AP_SAT>", "ap_ufixed<12,9,AP_RND_CONV,AP_SAT>"),
                                (None, None),
                                ("ap_ufixed<16,4,AP_RND,AP_SAT>", "ap_ufixed<26,9,AP_RND_CONV,AP_SAT>")]:
        precision = {} if table_in is None else {"LayerNormalization_0_rsqrt": {"table_in": table_in,
                                                                                "table_out": table_out}}
        g = hh.load_onnx(model, input_type=wide, default_type=wide, precision=precision)
        errors.append(np.abs(hh.predict(g, x) - want).max())
    assert errors[0] > errors[1] > errors[2], errors
    assert errors[2] < 1e-3, errors


def test_training_outputs_are_refused():
    model = _onnx_layer_norm((1, 3, 8))
    model.graph.node[0].output.append("mean")
    with pytest.raises(hh.UnsupportedModelError, match="Mean and InvStdDev"):
        hh.load_onnx(model)
