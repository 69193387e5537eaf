"""MatMul of two activations (attention's scores q @ k^T and weighted sums): exact products and
sums.  Oracles: onnxruntime on a float model fed integers (its float32 sums are exact there),
qonnx's executor on a quantized model and its QONNX export (bit-exact), torch's forward pass."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from onnx import TensorProto, helper, numpy_helper

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder

from .ort_oracle import onnxruntime_per_sample
from .test_qonnx_executor_oracle import assert_equal_to_qonnx_with_export

W = np.array([[1, -2, 0, 3], [2, 1, -1, 0], [0, 1, 2, -3], [-1, 0, 1, 1]], dtype=np.float32)


def _attention_scores(x_shape=(1, 2, 3, 4)):
    """s = (x @ W) @ x^T per head: two activations multiplied."""
    nodes = [helper.make_node("MatMul", ["x", "w"], ["q"]),
             helper.make_node("Transpose", ["x"], ["xt"], perm=[0, 1, 3, 2]),
             helper.make_node("MatMul", ["q", "xt"], ["s"]),
             helper.make_node("MatMul", ["s", "x"], ["y"])]
    graph = helper.make_graph(nodes, "scores", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape))],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(W, "w")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_products_of_activations_match_onnxruntime_exactly():
    model = _attention_scores()
    x = np.random.default_rng(0).integers(-4, 5, (20, 2, 3, 4)).astype(np.float32)
    want = onnxruntime_per_sample(model, x)
    assert_array_equal(hh.predict(hh.load_onnx(model), x.astype(np.float64)), want)
    # typed: integer inputs and weights, every product and sum exact
    g = hh.load_onnx(model, input_type="ap_fixed<4,4>", default_type="ap_fixed<24,24>")
    assert_array_equal(hh.predict(g, x), want)


def test_quantized_matmul_of_activations_is_bit_exact(tmp_path):
    b = ModelBuilder("qk")
    a = b.quant("x", 6, 3)
    k = b.quant(b.node("Mul", [a, b.const(np.float32(0.75))]), 5, 2)
    s = b.node("MatMul", [a, b.node("Transpose", [k], perm=[0, 2, 1])])
    model = b.build({"x": [1, 3, 4]}, b.quant(b.node("MatMul", [s, a]), 9, 5))
    xs = np.random.default_rng(1).normal(0, 2, (100, 3, 4))
    assert_equal_to_qonnx_with_export(model, xs, tmp_path / "qk.onnx")


def test_a_torch_attention_head_matches_torch():
    import torch

    class Head(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.q, self.k, self.v = (torch.nn.Linear(4, 4, bias=False) for _ in range(3))

        def forward(self, x):
            scores = self.q(x) @ self.k(x).transpose(-1, -2)
            return torch.softmax(scores, dim=-1) @ self.v(x)

    torch.manual_seed(0)
    head = Head().eval()
    x = torch.randn(16, 5, 4)
    g = hh.load_torch(head, x[:1], dynamo=False)
    with torch.no_grad():
        want = head(x).numpy()
    np.testing.assert_allclose(hh.predict(g, x.numpy().astype(np.float64)), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("a_shape, b_shape, words", [
    ([1, 4], [1, 4], "mixes samples"),
    ([1, 2, 3, 4], [1, 1, 4, 3], "leading axes must be equal"),
])
def test_products_that_mix_samples_or_broadcast_are_refused(a_shape, b_shape, words):
    graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["y"])], "mm",
                              [helper.make_tensor_value_info("a", TensorProto.FLOAT, a_shape),
                               helper.make_tensor_value_info("b", TensorProto.FLOAT, b_shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    with pytest.raises(hh.UnsupportedModelError, match=words):
        hh.load_onnx(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]))
