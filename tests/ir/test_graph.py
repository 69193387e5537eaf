"""Graph: validation names each broken invariant; printing shows the per-tensor types."""

import numpy as np
import pytest

import hgq_hls as hh
from hgq_hls.ir import Graph, Node, Tensor

from ..frontend.qonnx_models import mixed_mlp


def test_validator_lists_every_problem():
    g = Graph("broken")
    g.add_tensor(Tensor("x", (3,)))
    g.inputs = ["x"]
    g.add_tensor(Tensor("a", (3,)))
    g.add_node(Node("n1", "Relu", ["x"], ["a"]))
    g.add_node(Node("n2", "Frobnicate", ["missing"], ["a"]))
    g.outputs = ["nowhere"]
    with pytest.raises(hh.InvalidGraphError) as info:
        g.validate()
    text = str(info.value)
    for fragment in ["unknown op 'Frobnicate'", "written by 'n1' and 'n2'",
                     "undefined tensor 'missing'", "graph output 'nowhere'"]:
        assert fragment in text


def test_typed_graph_needs_every_type():
    g = Graph()
    g.add_tensor(Tensor("x", (3,), type=hh.FixedType(True, 8, 3)))
    g.add_tensor(Tensor("y", (3,)))
    g.inputs, g.outputs = ["x"], ["y"]
    g.add_node(Node("r", "Relu", ["x"], ["y"]))
    with pytest.raises(hh.InvalidGraphError, match="'y' has no type"):
        g.validate()


def test_print_shows_types_ranges_and_inferred_marks():
    text = str(hh.load_onnx(mixed_mlp()))
    assert "ap_fixed<8,4,AP_RND_CONV,AP_SAT>" in text      # the declared input quantizer
    assert "ap_fixed<16,7> *" in text                       # an inferred accumulator
    assert "(const)" in text and "[-8, 7.9375]" in text


def test_topological_order_is_deterministic():
    g = hh.load_onnx(mixed_mlp())
    assert [n.name for n in g.topological()] == [n.name for n in g.copy().topological()]
    assert [n.op for n in g.topological()][:2] == ["Quantize", "Dense"]


def test_graph_copy_is_independent():
    g = hh.load_onnx(mixed_mlp())
    h = g.copy()
    h.tensors["x"].shape = (99,)
    assert g.tensors["x"].shape == (6,)
    assert np.array_equal(g.tensors[g.nodes["Gemm_15"].inputs[1]].value,
                          h.tensors[h.nodes["Gemm_15"].inputs[1]].value)


def test_shape_pass_rejects_inconsistent_rewrites():
    from hgq_hls.passes.shapes import infer_shapes

    g = hh.load_onnx(mixed_mlp())
    g.tensors["relu20"].shape = (7,)
    with pytest.raises(hh.InvalidGraphError, match=r"'Relu_20' \(Relu\) produces \(5,\)"):
        infer_shapes(g)


def test_structure_queries_follow_every_mutation():
    """The cached order and producer/consumer maps are rebuilt after each kind of edit."""
    g = Graph()
    g.add_tensor(Tensor("x", (3,)))
    g.inputs = ["x"]
    for name in ("a", "b", "c"):
        g.add_tensor(Tensor(name, (3,)))
    r1 = g.add_node(Node("r1", "Relu", ["x"], ["a"]))
    r2 = g.add_node(Node("r2", "Relu", ["a"], ["b"]))
    assert [n.name for n in g.consumers("a")] == ["r2"] and g.producer("b") is r2
    r2.inputs = ["x"]                                  # assignment invalidates
    assert g.consumers("a") == [] and [n.name for n in g.consumers("x")] == ["r1", "r2"]
    r1.outputs = ["c"]
    assert g.producer("a") is None and g.producer("c") is r1
    g.remove_node("r1")
    assert g.producer("c") is None and [n.name for n in g.topological()] == ["r2"]
    g.add_node(Node("r0", "Relu", ["b"], ["a"]))       # reads r2's output: ordered after it
    assert [n.name for n in g.topological()] == ["r2", "r0"]
    copy = g.copy()
    copy.nodes["r0"].inputs = ["x"]                    # a copy's edits reach only the copy
    assert g.producer("b") is g.nodes["r2"] and [n.name for n in g.consumers("b")] == ["r0"]
    assert [n.name for n in copy.consumers("x")] == ["r2", "r0"]
