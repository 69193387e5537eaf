"""The PyTorch-exported models shipped inside the onnx wheel, with their stored outputs.

Untyped, hh.predict runs them in float64 and matches the stored float32 outputs to float32
accuracy.  Typed with a wide default precision, the fixed-point outputs stay within the
error that precision explains (tolerances are right here: this is a float model's import).
Models with ops outside the supported set must fail with an error naming node and op.
"""

import glob
import os

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

import hgq_hls as hh

DATA = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data")

SUPPORTED = [
    "AvgPool1d", "AvgPool1d_stride", "AvgPool2d", "AvgPool2d_stride", "BatchNorm1d_3d_input_eval",
    "BatchNorm2d_eval", "BatchNorm2d_momentum_eval", "ConstantPad2d", "Conv1d", "Conv1d_dilated",
    "Conv1d_groups", "Conv1d_pad1", "Conv1d_pad1size1", "Conv1d_pad2", "Conv1d_pad2size1",
    "Conv1d_stride", "Conv2d", "Conv2d_depthwise", "Conv2d_depthwise_padded",
    "Conv2d_depthwise_strided", "Conv2d_depthwise_with_multiplier", "Conv2d_dilated",
    "Conv2d_groups", "Conv2d_groups_thnn", "Conv2d_no_bias", "Conv2d_padding", "Conv2d_strided",
    "ELU", "SELU", "LeakyReLU", "LeakyReLU_with_negval", "Linear", "Linear_no_bias", "MaxPool1d",
    "MaxPool1d_stride", "MaxPool1d_stride_padding_dilation", "MaxPool2d",
    "MaxPool2d_stride_padding_dilation", "PReLU_1d", "PReLU_1d_multiparam", "PReLU_2d",
    "PReLU_2d_multiparam", "PixelShuffle", "ReLU", "Sigmoid", "Softmax", "Tanh", "ZeroPad2d",
    "softmax_functional_dim3", "softmax_lastdim", "operator_clip", "operator_concat2",
    "operator_conv", "operator_flatten", "operator_maxpool", "operator_add_broadcast",
    "operator_addconstant",
]
UNSUPPORTED = {"Conv3d": "Conv", "ConvTranspose2d": "ConvTranspose",
               "ReflectionPad2d": "Pad", "operator_mm": "Gemm", "LogSoftmax": "LogSoftmax"}

INPUT_TYPE = hh.FixedType(True, 24, 8, "RND_CONV", "SAT")
WIDE = hh.FixedType(True, 32, 10, "RND_CONV", "SAT")


def _case(name):
    folder = glob.glob(os.path.join(DATA, "pytorch-*", f"test_{name}"))
    assert folder, f"onnx test data for {name} not found under {DATA}"
    folder = folder[0]
    load = lambda pattern: [numpy_helper.to_array(onnx.load_tensor(f))  # noqa: E731
                            for f in sorted(glob.glob(os.path.join(folder, "test_data_set_0", pattern)))]
    return onnx.load(os.path.join(folder, "model.onnx")), load("input_*.pb"), load("output_*.pb")


@pytest.mark.parametrize("name", SUPPORTED)
def test_float_import_matches_stored_outputs(name):
    model, inputs, outputs = _case(name)
    y = hh.predict(hh.load_onnx(model), inputs)
    np.testing.assert_allclose(y, outputs[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", SUPPORTED)
def test_wide_fixed_point_import_is_close(name):
    model, inputs, outputs = _case(name)
    if any(np.abs(x).max() > INPUT_TYPE.max for x in inputs):
        inputs = [np.clip(x, -100, 100) for x in inputs]  # some operator tests feed garbage
        outputs = [hh.predict(hh.load_onnx(model), inputs)]
    g = hh.load_onnx(model, input_type=INPUT_TYPE, default_type=WIDE)
    y = hh.predict(g, inputs)
    # table activations quantize their input to 1/64 (slope <= 1): that bounds their error
    tol = 2e-2 if name in ("Tanh", "Sigmoid", "ELU", "SELU") else 1e-2 if "oftmax" in name else 1e-4
    np.testing.assert_allclose(y, outputs[0], rtol=0, atol=tol)


@pytest.mark.parametrize("name, op", sorted(UNSUPPORTED.items()))
def test_unsupported_models_name_node_and_op(name, op):
    model, _, _ = _case(name)
    with pytest.raises(hh.UnsupportedModelError) as info:
        hh.load_onnx(model)
    assert any(p.op == op for p in info.value.problems), str(info.value)
    assert f"({op})" in str(info.value)
