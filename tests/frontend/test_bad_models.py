"""Regression tests for issue 13's importer findings: no silent wrong result, one clear error.

Oracles: qonnx's executor for models that import (folding a quantized weight), hand-derived
expectations for the problems each bad model must name.
"""

import numpy as np
import onnx
import pytest
from numpy.testing import assert_array_equal
from onnx import TensorProto, helper, numpy_helper

import hgq_hls as hh

from .qonnx_models import QONNX_DOMAIN, ModelBuilder
from .test_qonnx_executor_oracle import qonnx_execute


def _x(shape, n=64, seed=0):
    return np.random.default_rng(seed).normal(0, 2, (n, *shape)).astype(np.float32).astype(np.float64)


# ---- folding a quantized weight (issue 13, silent wrong results (1)) ----------------------------
def _weight_then(op_chain, w_shape=(3, 4)):
    """Quant(x) @ fold(Quant(W)): the weight passes through ``op_chain`` before the MatMul."""
    rng = np.random.default_rng(1)
    b = ModelBuilder("fold")
    x = b.quant("x", 8, 4)
    w = b.quant(b.const(rng.normal(0, 0.7, w_shape).astype(np.float32), "w"), 6, 3)
    w = op_chain(b, w)
    y = b.quant(b.node("MatMul", [x, w]), 12, 5)
    return b.build({"x": ["N", 4]}, y)


FOLDS = {
    "Transpose": lambda b, w: b.node("Transpose", [w], perm=[1, 0]),
    "Reshape": lambda b, w: b.node("Reshape", [w, b.const(np.array([4, 3], np.int64))]),
    "Identity": lambda b, w: b.node("Transpose", [b.node("Identity", [w])], perm=[1, 0]),
    "Cast": lambda b, w: b.node("Transpose", [b.node("Cast", [w], to=TensorProto.FLOAT)], perm=[1, 0]),
    "Mul": lambda b, w: b.node("Transpose", [b.node("Mul", [w, b.const(np.float32(0.5))])], perm=[1, 0]),
    "Softmax": lambda b, w: b.node("Transpose", [b.node("Softmax", [w], axis=1)], perm=[1, 0]),
    "Flatten+Reshape": lambda b, w: b.node("Reshape", [b.node("Flatten", [w], axis=0),
                                                       b.const(np.array([4, 3], np.int64))]),
}


@pytest.mark.parametrize("chain", sorted(FOLDS))
def test_folding_after_a_weight_quant_matches_qonnx(chain):
    model = _weight_then(FOLDS[chain])
    x = _x((4,))
    g = hh.load_onnx(model)
    assert_array_equal(hh.predict(g, x), qonnx_execute(model, x))


def test_movement_fold_keeps_the_declared_weight_type():
    g = hh.load_onnx(_weight_then(FOLDS["Transpose"]))
    dense = next(n for n in g.nodes.values() if n.op == "Dense")
    assert g.tensors[dense.inputs[1]].type == hh.FixedType(True, 6, 3, "RND_CONV", "SAT")


def test_activation_only_quantizers_make_a_typed_graph():
    """QONNX model-zoo TFC shape: Quant -> Transpose(float weight) -> MatMul, no weight Quant."""
    b = ModelBuilder("tfc")
    x = b.quant("x", 8, 4)
    w = b.node("Transpose", [b.const(np.array([[0.5, -0.25, 1.0], [0.75, 0.125, -1.5]], np.float32))],
               perm=[1, 0])
    y = b.quant(b.node("MatMul", [x, w]), 10, 4)
    model = b.build({"x": ["N", 3]}, y)
    g = hh.load_onnx(model)
    assert g.is_typed and g.tensors[g.outputs[0]].type is not None
    x = _x((3,))
    assert_array_equal(hh.predict(g, x), qonnx_execute(model, x))


# ---- structure and attributes: one clear error, every problem at once ------------------------
def _conv_model(x_shape, w_shape, **attrs):
    b = ModelBuilder("conv")
    x = b.quant("x", 8, 4)
    w = b.quant(b.const(np.ones(w_shape, np.float32) * 0.5), 4, 2)
    return b.build({"x": ["N", *x_shape]}, b.node("Conv", [x, w], **attrs))


def _problems(model, **kwargs):
    with pytest.raises(hh.UnsupportedModelError) as info:
        hh.load_onnx(model, **kwargs)
    return info.value.problems


@pytest.mark.parametrize("x_shape, w_shape, attrs, words", [
    ((4, 5, 5), (2, 3, 3, 3), {}, "input channels"),
    ((3, 5, 5), (2, 3, 3, 3), {"kernel_shape": [2, 2]}, "disagrees with the weight"),
    ((3, 5, 5), (2, 3, 3, 3), {"strides": [0, 1]}, "strides"),
    ((3, 5, 5), (2, 3, 3, 3), {"dilations": [0, 0]}, "dilations"),
    ((3, 5, 5), (2, 3, 3, 3), {"group": 0}, "group"),
    ((3, 5, 5), (2, 3, 3, 3), {"pads": [-1, 0, 0, 0]}, "pads"),
    ((3, 5, 5), (2, 3, 3, 3), {"pads": [1, 1]}, "4 entries"),
    ((3, 2, 2), (2, 3, 3, 3), {}, "does not fit"),
    ((3, 5), (2, 3, 3, 3), {}, "spatial"),
])
def test_conv_attributes_and_weights_are_checked(x_shape, w_shape, attrs, words):
    (problem,) = _problems(_conv_model(x_shape, w_shape, **attrs))
    assert problem.op == "Conv" and problem.node.startswith("Conv_") and words in problem.reason


@pytest.mark.parametrize("attrs, words", [({}, "kernel_shape attribute is required"),
                                          ({"kernel_shape": [2, 2], "strides": [0, 0]}, "strides"),
                                          ({"kernel_shape": [2, 2], "pads": [2, 0, 0, 0]}, "smaller")])
def test_pool_attributes_are_checked(attrs, words):
    b = ModelBuilder("pool")
    y = b.node("MaxPool", [b.quant("x", 8, 4)], **attrs)
    (problem,) = _problems(b.build({"x": ["N", 2, 4, 4]}, y))
    assert problem.op == "MaxPool" and words in problem.reason


def test_channels_last_domain_is_refused_by_name():
    b = ModelBuilder("cl")
    x = b.quant("x", 8, 4)
    w = b.quant(b.const(np.ones((2, 3, 3, 3), np.float32)), 4, 2)
    y = b.node("Conv", [x, w], domain="qonnx.custom_op.channels_last")
    (problem,) = _problems(b.build({"x": ["N", 5, 5, 3]}, y))
    assert problem.op == "Conv" and "channels_last" in problem.reason and "channels-first" in problem.reason


def test_unsupported_ops_feeding_each_other_are_all_named():
    b = ModelBuilder("chain")
    h = b.node("Softplus", [b.quant("x", 8, 4)])
    h = b.node("Softsign", [h])
    y = b.node("HardSwish", [h])
    assert [p.op for p in _problems(b.build({"x": ["N", 4]}, y))] == ["Softplus", "Softsign", "HardSwish"]


def test_every_bad_scale_quantizer_is_listed():
    b = ModelBuilder("nine")
    h = b.quant("x", 8, 4)
    for k in range(9):
        h = b.node("Quant", [h, b.const(np.float32(-0.3 - k / 100)), b.const(np.float32(0)),
                             b.const(np.float32(8))], domain=QONNX_DOMAIN, signed=1, narrow=0,
                   rounding_mode="ROUND")
    problems = _problems(b.build({"x": ["N", 4]}, h))
    assert len(problems) == 9 and all("positive and finite" in p.reason for p in problems)


def test_shape_mismatch_names_the_node():
    b = ModelBuilder("mm")
    y = b.node("MatMul", [b.quant("x", 8, 4), b.quant(b.const(np.ones((3, 2), np.float32)), 4, 2)])
    (problem,) = _problems(b.build({"x": ["N", 4]}, y))
    assert problem.op == "MatMul" and "4 features" in problem.reason


def test_elementwise_shape_mismatch_names_the_node():
    b = ModelBuilder("add")
    y = b.node("Add", [b.quant("x", 8, 4), b.const(np.ones(3, np.float32))])
    (problem,) = _problems(b.build({"x": ["N", 4]}, y))
    assert problem.op == "Add" and problem.node.startswith("Add_")


def _raw_graph(nodes, inputs=(("x", [None, 4]),), outputs=("y",), inits=()):
    graph = helper.make_graph(
        nodes, "raw", [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs],
        initializer=list(inits))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_two_producers_of_one_tensor():
    model = _raw_graph([helper.make_node("Relu", ["x"], ["y"], name="a"),
                        helper.make_node("Relu", ["x"], ["y"], name="b")])
    (problem,) = _problems(model)
    assert problem.node == "b" and "already written by a" in problem.reason


def test_node_without_outputs_and_missing_required_input():
    model = _raw_graph([helper.make_node("Relu", ["x"], [], name="r"),
                        helper.make_node("Add", ["x"], ["y"], name="add")])
    assert [(p.node, "no outputs" in p.reason or "needs 2 input" in p.reason)
            for p in _problems(model)] == [("r", True), ("add", True)]


def test_graph_without_inputs_or_outputs():
    model = _raw_graph([], inputs=(), outputs=())
    with pytest.raises(hh.UnsupportedModelError):
        hh.load_onnx(model)


def test_nan_scale_and_huge_bit_width():
    b = ModelBuilder("nan")
    h = b.node("Quant", ["x", b.const(np.float32(np.nan)), b.const(np.float32(0)), b.const(np.float32(8))],
               domain=QONNX_DOMAIN, signed=1, narrow=0, rounding_mode="ROUND")
    h = b.node("Quant", [h, b.const(np.float32(0.25)), b.const(np.float32(0)), b.const(np.float32(1e10))],
               domain=QONNX_DOMAIN, signed=1, narrow=0, rounding_mode="ROUND")
    reasons = [p.reason for p in _problems(b.build({"x": ["N", 4]}, h))]
    assert "NaN" in reasons[0] and "outside 1..64" in reasons[1]


def test_wrong_initializer_shape_for_a_per_channel_scale():
    b = ModelBuilder("scale")
    w = b.quant(b.const(np.ones((4, 3), np.float32)), 4, np.array([1, 2, 3, 4, 5]))
    y = b.node("MatMul", [b.quant("x", 8, 4), w])
    (problem,) = _problems(b.build({"x": ["N", 4]}, y))
    assert problem.op == "Quant" and "does not broadcast" in problem.reason


@pytest.mark.parametrize("content, words", [(b"", "empty"), (b"hello, this is text\n", "not an ONNX model"),
                                            (b"\x08\x07\x12\xff\xff\xff", "not an ONNX model")])
def test_garbage_files_are_one_line(tmp_path, content, words):
    path = tmp_path / "m.onnx"
    path.write_bytes(content)
    with pytest.raises(hh.UnsupportedModelError) as info:
        hh.load_onnx(path)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_truncated_model_file(tmp_path):
    b = ModelBuilder("t")
    data = b.build({"x": ["N", 4]}, b.node("Relu", [b.quant("x", 8, 4)])).SerializeToString()
    path = tmp_path / "m.onnx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(hh.UnsupportedModelError, match="not an ONNX model"):
        hh.load_onnx(path)


def test_type_arguments_are_checked():
    b = ModelBuilder("args")
    model = b.build({"x": ["N", 4]}, b.node("Relu", ["x"]))
    with pytest.raises(hh.ArgumentError, match="input_type"):
        hh.load_onnx(model, input_type="int8")
    with pytest.raises(hh.ArgumentError, match="at most 64 bits"):
        hh.load_onnx(model, input_type=hh.FixedType(True, 100, 10))
    g = hh.load_onnx(model, input_type="ap_fixed<8,3>")           # a spelling is accepted
    assert g.tensors["x"].type == hh.FixedType(True, 8, 3)
    with pytest.raises(TypeError, match="signed"):
        hh.FixedType(signed="False", width=8, integer=3)


# ---- found by tests/test_fuzz.py ---------------------------------------------------------------
@pytest.mark.parametrize("bias_shape", [(1, 5), ()])
def test_gemm_with_a_broadcast_quantized_bias_matches_qonnx(bias_shape):
    """A typed bias of shape (1, N) or () was rescaled as floats: mantissas became float64."""
    rng = np.random.default_rng(2)
    b = ModelBuilder("bias")
    x = b.quant("x", 8, 4)
    w = b.quant(b.const(rng.normal(0, 0.7, (6, 5)).astype(np.float32)), 5, 3)
    bias = b.quant(b.const(rng.normal(0, 0.3, bias_shape).astype(np.float32)), 8, 5)
    model = b.build({"x": ["N", 6]}, b.quant(b.node("Gemm", [x, w, bias]), 12, 5))
    x = _x((6,))
    assert_array_equal(hh.predict(hh.load_onnx(model), x), qonnx_execute(model, x))


def test_trunc_v1_that_would_widen_is_refused():
    """out_bitwidth > in_bitwidth was saturated where qonnx scales up: a silent wrong result."""
    from .qonnx_models import trunc_model

    model = trunc_model(1, "FLOOR")
    for init in model.graph.initializer:
        if init.name == "c14":                                    # out_bitwidth 9 -> 20 (in: 13)
            init.CopyFrom(numpy_helper.from_array(np.asarray(20, np.float32), "c14"))
    (problem,) = _problems(model)
    assert problem.op == "Trunc" and "exceeds in_bitwidth" in problem.reason


def test_unreadable_paths_and_odd_arguments():
    with pytest.raises(hh.ModelFileError, match="cannot be read"):
        hh.load_onnx("x" * 300)                                  # name too long for the OS
    with pytest.raises(hh.ArgumentError, match="rounding"):
        hh.FixedType(True, 8, 3, 0)
    with pytest.raises(hh.ArgumentError, match="not an array of numbers"):
        hh.quantize([[1, 2], 0.5], hh.FixedType(True, 8, 3))
    with pytest.raises(hh.ArgumentError, match="complex"):
        hh.quantize(np.array([1 + 2j]), hh.FixedType(True, 8, 3))


def test_nan_and_inf_initializers_are_named():
    model = _raw_graph([helper.make_node("Gemm", ["x", "w"], ["y"], name="fc")],
                       inits=[numpy_helper.from_array(np.array([[np.nan], [1], [2], [3]], np.float32), "w")])
    (problem,) = _problems(model, input_type=hh.FixedType(True, 8, 3), default_type=hh.FixedType(True, 8, 3))
    assert problem.node == "w" and "NaN" in problem.reason


def test_wide_outputs_are_refused_by_the_writers_and_explained_by_predict(tmp_path):
    b = ModelBuilder("wide")
    y = b.node("Gemm", ["x", b.quant(b.const(np.ones((3, 2), np.float32) * 0.5), 4, 2)])
    g = hh.load_onnx(b.build({"x": ["N", 3]}, y), input_type="ap_fixed<60,-5>")
    with pytest.raises(hh.ExactnessError, match="output 'gemm"):
        hh.predict(g, np.full((4, 3), 0.01234567))
    for writer in (hh.write_hls, hh.write_verilog):
        with pytest.raises(hh.UnsupportedModelError, match="at most 53 bits"):
            writer(g, tmp_path / writer.__name__)
        assert not (tmp_path / writer.__name__).exists()


def test_padded_conv_after_a_63_bit_input_is_exact():
    """np.pad wrote int64 zeros into exact Python-int arrays: OverflowError (issue 13)."""
    from fractions import Fraction

    b = ModelBuilder("wide_conv")
    w = np.array([[[[0.5, -0.25], [0.75, 1.0]]]], np.float32)                   # (1, 1, 2, 2)
    y = b.node("Conv", ["x", b.quant(b.const(w), 4, 2)], pads=[1, 1, 1, 1])
    model = b.build({"x": ["N", 1, 2, 2]}, b.quant(y, 24, 10, mode="FLOOR"))
    g = hh.load_onnx(model, input_type="ap_fixed<63,10>")
    rng = np.random.default_rng(4)
    x = rng.uniform(1, 500, (3, 1, 2, 2)) * rng.choice([-1, 1], (3, 1, 2, 2))   # exact on the 2^-53 grid
    got = hh.predict(g, x)
    xp = np.pad(x, [(0, 0), (0, 0), (1, 1), (1, 1)])
    want = np.zeros((3, 1, 3, 3))
    for n in range(3):
        for i in range(3):
            for j in range(3):
                acc = sum(Fraction(float(w[0, 0, a, c])) * Fraction(float(xp[n, 0, i + a, j + c]))
                          for a in range(2) for c in range(2))
                want[n, 0, i, j] = float(Fraction(int(np.floor(acc * 2**10)), 2**10))
    assert_array_equal(got, want)


def test_an_lstm_output_left_sequence_first_is_named():
    """Transpose(batch <-> time) -> LSTM imports (tests/frontend/test_recurrent.py), but a graph
    output Y of layout 0 has its batch on axis 2: the output is named, nothing else."""
    hidden, feat = 3, 4
    rng = np.random.default_rng(0)
    inits = [numpy_helper.from_array(rng.normal(size=(1, 4 * hidden, feat)).astype(np.float32), "W"),
             numpy_helper.from_array(rng.normal(size=(1, 4 * hidden, hidden)).astype(np.float32), "R")]
    nodes = [helper.make_node("Transpose", ["x"], ["xt"], name="to_time_major", perm=[1, 0, 2]),
             helper.make_node("LSTM", ["xt", "W", "R"], ["y"], name="lstm", hidden_size=hidden)]
    model = _raw_graph(nodes, inputs=(("x", ["N", 5, feat]),), inits=inits)
    problems = _problems(model, input_type=hh.FixedType(True, 8, 3))
    assert [(p.node, p.op) for p in problems] == [("y", "(output)")]
    assert "its batch is on axis 2" in problems[0].reason


def test_bipolar_quant_on_the_graph_input_is_explained(tmp_path):
    b = ModelBuilder("bipolar")
    x = b.node("BipolarQuant", ["x", b.const(np.float32(1.0))], domain=QONNX_DOMAIN)
    y = b.quant(b.node("MatMul", [x, b.quant(b.const(np.ones((4, 2), np.float32)), 4, 2)]), 8, 2)
    g = hh.load_onnx(b.build({"x": ["N", 4]}, y))
    with pytest.raises(hh.UnsupportedModelError, match="BipolarQuant needs only the sign"):
        hh.write_hls(g, tmp_path / "p")
    g = hh.load_onnx(b.build({"x": ["N", 4]}, y), input_type="ap_fixed<8,3>")
    hh.write_hls(g, tmp_path / "p")                                  # with a type it is firmware
