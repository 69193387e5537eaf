"""Table activations: the graph's tables compute exactly the tabulated function.

Expected values are formed directly: the input cast to the table's input type, the
function in float64, the result cast to the table's output type (hh.quantize itself is
checked against ap_fixed).  Softmax is checked step by step the same way.
"""

import numpy as np
from numpy.testing import assert_array_equal
from onnx import TensorProto, helper

import hgq_hls as hh

IN = hh.FixedType(True, 12, 5, "RND_CONV", "SAT")


def single_op_model(op, n=6, **attrs):
    graph = helper.make_graph([helper.make_node(op, ["x"], ["y"], name="act", **attrs)], "act",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", n])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_sigmoid_and_tanh_tables():
    x = np.random.default_rng(0).normal(0, 5, (400, 6))
    for op, fn in [("Sigmoid", lambda v: 1 / (1 + np.exp(-v))), ("Tanh", np.tanh)]:
        g = hh.load_onnx(single_op_model(op), input_type=IN,
                         precision={"act": {"table_in": hh.FixedType(True, 9, 4, "RND", "SAT")}})
        node = g.nodes["act"]
        t_in, t_out = node.attrs["in_type"], node.attrs["out_type"]
        expected = hh.quantize(fn(hh.quantize(hh.quantize(x, IN), t_in)), t_out)
        assert_array_equal(hh.predict(g, x), expected)
        assert len(node.attrs["table"]) == 2**9


def test_softmax_tables_step_by_step():
    x = np.random.default_rng(1).normal(0, 3, (300, 6))
    g = hh.load_onnx(single_op_model("Softmax", axis=-1), input_type=IN)
    a = g.nodes["act"].attrs
    xq = hh.quantize(x, IN)
    e = hh.quantize(np.exp(-hh.quantize(xq.max(axis=1, keepdims=True) - xq, a["exp_in"])), a["exp_out"])
    inv = hh.quantize(1.0 / hh.quantize(e.sum(axis=1, keepdims=True), a["inv_in"]), a["inv_out"])
    y = hh.predict(g, x)
    assert_array_equal(y, e * inv)
    assert np.abs(y.sum(axis=1) - 1).max() < 0.02
