"""Resize (and Upsample): nearest by integer factors as element repeats, linear as one Dense
per spatial axis by its interpolation matrix.

Oracles: onnxruntime on float models (nearest is pure data movement: exactly equal; linear to
float32 accuracy, and exactly on integer inputs where the weights are multiples of 1/4);
torch's ``nn.Upsample`` exported by both exporters against torch's forward pass; qonnx's
executor on a quantized bilinear model (bit-exact).
"""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from onnx import TensorProto, helper

import hgq_hls as hh

from .ort_oracle import onnxruntime_per_sample
from hgq_hls.errors import UnsupportedModelError

SHAPE = [1, 2, 3, 4]
# (scales or None, sizes or None, coordinate_transformation_mode, nearest_mode)
CASES = [([1, 1, 2, 2], None, "asymmetric", "floor"),            # torch's nearest export
         ([1, 1, 3, 1], None, "half_pixel", "round_prefer_floor"),
         (None, [1, 2, 6, 12], "pytorch_half_pixel", "round_prefer_ceil"),
         ([1, 1, 1, 1], None, "half_pixel", "round_prefer_floor")]


def _model(scales, sizes, coordinates, rounding, mode="nearest", shape=SHAPE):
    inits = [helper.make_tensor("roi", TensorProto.FLOAT, [0], [])]
    inputs = ["x", "roi"]
    if scales is not None:
        inits.append(helper.make_tensor("scales", TensorProto.FLOAT, [len(scales)], scales))
        inputs.append("scales")
    else:
        inits.append(helper.make_tensor("sizes", TensorProto.INT64, [len(sizes)], sizes))
        inputs += ["", "sizes"]
    node = helper.make_node("Resize", inputs, ["y"], mode=mode, coordinate_transformation_mode=coordinates,
                            nearest_mode=rounding)
    graph = helper.make_graph([node], "resize", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


@pytest.mark.parametrize("scales,sizes,coordinates,rounding", CASES)
def test_nearest_resize_matches_onnxruntime(scales, sizes, coordinates, rounding):
    model = _model(scales, sizes, coordinates, rounding)
    x = np.random.default_rng(0).normal(0, 1, [3] + SHAPE[1:]).astype(np.float32)
    want = onnxruntime_per_sample(model, x)
    got = hh.predict(hh.load_onnx(model), x.astype(np.float64))
    assert got.shape == want.shape
    assert_array_equal(got, want)


LINEAR = [([1, 1, 2, 2], None, "half_pixel"), ([1, 1, 2, 3], None, "pytorch_half_pixel"),
          ([1, 1, 2, 2], None, "align_corners"), ([1, 1, 2, 2], None, "asymmetric"),
          (None, [1, 2, 5, 7], "half_pixel"), ([1, 1, 1, 2], None, "half_pixel")]


@pytest.mark.parametrize("scales,sizes,coordinates", LINEAR)
def test_linear_resize_matches_onnxruntime(scales, sizes, coordinates):
    model = _model(scales, sizes, coordinates, "floor", mode="linear")
    x = np.random.default_rng(1).normal(0, 1, [4] + SHAPE[1:]).astype(np.float32)
    want = onnxruntime_per_sample(model, x)
    got = hh.predict(hh.load_onnx(model), x.astype(np.float64))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_a_linear_resize_on_a_1d_signal_and_integer_inputs_is_exact():
    model = _model([1, 1, 4], None, "half_pixel", "floor", mode="linear", shape=[1, 2, 5])
    x = np.random.default_rng(2).integers(-8, 8, (6, 2, 5)).astype(np.float32)
    want = onnxruntime_per_sample(model, x)               # weights k/8: float32 exact here
    g = hh.load_onnx(model, input_type="ap_fixed<4,4>", default_type="ap_fixed<12,8>")
    assert_array_equal(hh.predict(g, x), want)


@pytest.mark.parametrize("dynamo", [True, False], ids=["dynamo", "torchscript"])
def test_torch_bilinear_upsample_matches_torch(dynamo):
    import torch

    net = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, padding=1), torch.nn.Upsample(scale_factor=2, mode="bilinear"))
    torch.manual_seed(0)
    x = torch.randn(5, 2, 4, 3)
    with torch.no_grad():
        want = net.eval()(x).numpy()
    g = hh.load_torch(net, x[:1], dynamo=dynamo)
    np.testing.assert_allclose(hh.predict(g, x.numpy().astype(np.float64)), want, rtol=1e-5, atol=1e-5)


def test_quantized_bilinear_upsample_is_bit_exact():
    from hgq_hls.frontend.onnx.builder import ModelBuilder
    from .test_qonnx_executor_oracle import qonnx_execute

    b = ModelBuilder("up")
    node = helper.make_node("Resize", [b.quant("x", 6, 2), "", b.const(np.array([1, 1, 2, 2], np.float32))], ["up"],
                            mode="linear", coordinate_transformation_mode="half_pixel")
    b.nodes.append(node)
    model = b.build({"x": [1, 2, 3, 4]}, b.quant("up", 10, 6))
    x = np.random.default_rng(3).normal(0, 3, (8, 2, 3, 4))
    assert_array_equal(hh.predict(hh.load_onnx(model), x), qonnx_execute(model, x))


@pytest.mark.parametrize("scales,coordinates,rounding,reason",
                         [([1, 1, 1.5, 2], "half_pixel", "round_prefer_floor", "integer"),
                          ([1, 2, 2, 2], "half_pixel", "round_prefer_floor", "channel axes"),
                          ([1, 1, 2, 2], "asymmetric", "round_prefer_floor", "does not repeat"),
                          ([1, 1, 2, 2], "align_corners", "floor", "does not repeat")])
def test_other_resizes_are_refused_with_the_reason(scales, coordinates, rounding, reason):
    with pytest.raises(UnsupportedModelError, match=reason):
        hh.load_onnx(_model(scales, None, coordinates, rounding))


@pytest.mark.slow
@pytest.mark.parametrize("dynamo", [False, True])
def test_torch_nearest_upsampling_imports(dynamo, tmp_path):
    import onnx
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3, padding=1), torch.nn.Upsample(scale_factor=2)).eval()
    x = torch.randn(4, 2, 5, 5)
    torch.onnx.export(net, (x[:1],), tmp_path / "net.onnx", dynamo=dynamo, input_names=["x"])
    with torch.no_grad():
        want = net(x).numpy()
    got = hh.predict(hh.load_onnx(onnx.load(tmp_path / "net.onnx")), x.numpy().astype(np.float64))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
