"""Resize (and Upsample) nearest by integer factors, as element repeats.

Oracles: onnxruntime on float models (pure data movement: exactly equal); torch's
``nn.Upsample(scale_factor=2)`` exported by both exporters against torch's forward pass.
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


def _model(scales, sizes, coordinates, rounding):
    inits = [helper.make_tensor("roi", TensorProto.FLOAT, [0], [])]
    inputs = ["x", "roi"]
    if scales is not None:
        inits.append(helper.make_tensor("scales", TensorProto.FLOAT, [4], scales))
        inputs.append("scales")
    else:
        inits.append(helper.make_tensor("sizes", TensorProto.INT64, [4], sizes))
        inputs += ["", "sizes"]
    node = helper.make_node("Resize", inputs, ["y"], mode="nearest", coordinate_transformation_mode=coordinates,
                            nearest_mode=rounding)
    graph = helper.make_graph([node], "resize", [helper.make_tensor_value_info("x", TensorProto.FLOAT, SHAPE)],
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
