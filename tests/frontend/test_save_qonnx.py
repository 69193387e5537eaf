"""hh.save_qonnx: typed graphs written as QONNX read back identically, and run identically in qonnx."""

import numpy as np
import onnx
import pytest

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder
from hgq_hls.verification import stimulus
from tests.backends.hls_models import MODELS
from tests.backends.outputs import assert_firmware_equals_reference

QONNX_ORIGIN = [name for name in MODELS if name.startswith(("qonnx_", "trunc_", "bipolar", "qdq_", "clamps_", "neg_"))]


def same_constant(a, b):
    return (a.type.width, a.type.frac, a.type.signed) == (b.type.width, b.type.frac, b.type.signed) \
        and np.array_equal(np.asarray(a.value, dtype=object), np.asarray(b.value, dtype=object))


@pytest.mark.parametrize("name", QONNX_ORIGIN)
def test_qonnx_graphs_read_back_identically(name, tmp_path):
    g = MODELS[name]()
    hh.save_qonnx(g, tmp_path / "m.onnx")
    back = hh.load_onnx(tmp_path / "m.onnx")
    assert [(n.name, n.op) for n in g.topological()] == [(n.name, n.op) for n in back.topological()]
    for node, again in zip(g.topological(), back.topological()):
        assert {k: v for k, v in node.attrs.items() if k not in ("table", "tables")} == \
               {k: v for k, v in again.attrs.items() if k not in ("table", "tables")}
        for t, u in zip(node.inputs + node.outputs, again.inputs + again.outputs):
            a, b = g.tensors[t], back.tensors[u]
            if a.is_const:
                assert same_constant(a, b), t
            else:
                assert a.type == b.type and a.shape == b.shape, t
    assert_firmware_equals_reference(g, lambda x: hh.predict(back, x), 2000, seed=1)


@pytest.mark.parametrize("name", ["qonnx_mixed_mlp", "qonnx_random_cnn_2", "trunc_v1"])
def test_qonnx_executor_runs_the_saved_model_like_hh_predict(name, tmp_path):
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes

    g = MODELS[name]()
    model = hh.save_qonnx(g, tmp_path / "m.onnx")
    (x,) = stimulus(g, 300, seed=2)
    wrapped = ModelWrapper(model)
    wrapped.set_tensor_shape(model.graph.input[0].name, list(x.shape))
    wrapped = wrapped.transform(InferShapes())
    out = execute_onnx(wrapped, {model.graph.input[0].name: x.astype(np.float32)})
    np.testing.assert_array_equal(out[g.outputs[0]].astype(np.float64), hh.predict(g, x))


def test_float_model_typed_by_default_precision_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    b = ModelBuilder("f")
    h = b.node("Relu", [b.node("Gemm", ["x", b.const(rng.normal(0, 1, (6, 5)).astype(np.float32)),
                                       b.const(rng.normal(0, 1, 5).astype(np.float32))])])
    y = b.node("Gemm", [h, b.const(rng.normal(0, 1, (5, 3)).astype(np.float32))])
    model = b.build({"x": ["N", 6]}, y)
    t = hh.FixedType(True, 10, 4, "RND_CONV", "SAT")
    g = hh.load_onnx(model, input_type=t, default_type=hh.FixedType(True, 8, 3, "TRN", "SAT"))
    hh.save_qonnx(g, tmp_path / "m.onnx")
    back = hh.load_onnx(tmp_path / "m.onnx")
    for name, tensor in g.tensors.items():                 # every tensor keeps its type
        if not tensor.is_const:
            assert back.tensors[name].type == tensor.type, name
    assert_firmware_equals_reference(g, lambda x: hh.predict(back, x), 3000, seed=3)
    # writing the read-back graph again gives the same model
    assert hh.frontend.onnx.to_qonnx(back).graph.node[-1].op_type == "Quant"


def test_what_qonnx_cannot_say_is_refused_by_name(tmp_path):
    g = MODELS["narrow_accumulator_wrap"]()
    with pytest.raises(hh.UnsupportedModelError, match=r"'x'.*WRAP cannot be written"):
        hh.save_qonnx(g, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()
    with pytest.raises(hh.UnsupportedModelError, match=r"'Softmax_1' \(Softmax\): cannot be written as QONNX yet"):
        hh.save_qonnx(MODELS["softmax_last_axis"](), tmp_path / "s.onnx")
    with pytest.raises(hh.UnsupportedModelError, match="no rounding mode for RND"):
        hh.save_qonnx(MODELS["maxpool_padded"](), tmp_path / "p.onnx")
    assert onnx  # the module is used by the oracle test
