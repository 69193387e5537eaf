"""Bad models give one UnsupportedModelError that names every node, op and reason."""

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import hgq_hls as hh

from .qonnx_models import ModelBuilder


def test_every_problem_is_listed_not_just_the_first():
    b = ModelBuilder("bad")
    x = b.quant("x", 8, 4)
    h = b.node("Gemm", [x, b.quant(b.const(np.ones((4, 3), np.float32)), 4, 2)])
    h = b.quant(h, 8, 0, signed=1)
    # a negative scale on an activation, and an op we do not support
    scale = b.const(np.float32(-0.3), "scale")
    bad = b.node("Quant", [h, scale, b.const(np.float32(0)), b.const(np.float32(8))],
                 domain="qonnx.custom_op.general", signed=1, narrow=0, rounding_mode="ROUND")
    other = b.node("Softplus", [x])
    model = b.build({"x": ["N", 4]}, bad)
    model.graph.output.append(helper.make_tensor_value_info(other, TensorProto.FLOAT, None))
    with pytest.raises(hh.UnsupportedModelError) as info:
        hh.load_onnx(model)
    assert any(p.op == "Softplus" and "not supported" in p.reason for p in info.value.problems)
    assert any(p.op == "Quant" and "positive and finite" in p.reason for p in info.value.problems)
    assert len(info.value.problems) == 2


def test_fractional_zero_point_and_up_rounding_are_explained():
    b = ModelBuilder()
    x = b.node("Quant", ["x", b.const(np.float32(0.3)), b.const(np.float32(2.5)), b.const(np.float32(8))],
               domain="qonnx.custom_op.general", signed=1, narrow=0, rounding_mode="ROUND")
    y = b.node("Quant", [x, b.const(np.float32(0.3)), b.const(np.float32(0)), b.const(np.float32(8))],
               domain="qonnx.custom_op.general", signed=1, narrow=0, rounding_mode="UP")
    with pytest.raises(hh.UnsupportedModelError, match="zero point") as info:
        hh.load_onnx(b.build({"x": ["N", 3]}, y))
    # checking goes on past the first: the UP Quant downstream is named too
    assert [p.node for p in info.value.problems] == ["Quant_4", "Quant_8"]
    assert "not an integer" in info.value.problems[0].reason
    assert "'UP'" in info.value.problems[1].reason


def test_dynamic_feature_shape_is_reported():
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="r")], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", "F"])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    with pytest.raises(hh.UnsupportedModelError, match="not static"):
        hh.load_onnx(helper.make_model(graph))


def test_untyped_input_in_a_typed_graph_asks_for_input_type():
    b = ModelBuilder()
    y = b.node("Gemm", ["x", b.quant(b.const(np.ones((3, 2), np.float32)), 4, 2)])
    with pytest.raises(hh.UnsupportedModelError, match="input_type"):
        hh.load_onnx(b.build({"x": ["N", 3]}, y))


def test_unknown_precision_override_names_the_nodes():
    b = ModelBuilder()
    y = b.node("Relu", ["x"])
    with pytest.raises(hh.UnsupportedModelError, match="no such node"):
        hh.load_onnx(b.build({"x": ["N", 3]}, y), input_type=hh.FixedType(True, 8, 3),
                     precision={"nope": hh.FixedType(True, 8, 3)})


def test_missing_file():
    with pytest.raises(FileNotFoundError):
        hh.load_onnx("/no/such/model.onnx")


def test_old_opset_with_initializers_listed_as_inputs():
    w = np.arange(6, dtype=np.float32).reshape(3, 2) / 4
    b = np.array([0.5, -1.0], dtype=np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "w", "b"], ["y"], name="fc", broadcast=1)], "old",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3]),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, [3, 2]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=[onnx.numpy_helper.from_array(w, "w"), onnx.numpy_helper.from_array(b, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 6)])
    x = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(hh.predict(hh.load_onnx(model), x), x @ w + b)
