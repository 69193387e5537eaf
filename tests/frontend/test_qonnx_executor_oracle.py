"""hh.predict equals qonnx's own executor bit for bit on random QONNX models.

qonnx (its Quant custom op, run by qonnx.core.onnx_exec) is the independent oracle for the
semantics of Quant: rounding modes, narrow ranges, saturation, per-channel weight scales.
Widths stay small enough that its float32 arithmetic is exact.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

import hgq_hls as hh

from .qonnx_models import MODES, mixed_mlp, random_qonnx_model, trunc_model


def qonnx_execute(model, x):
    try:
        from qonnx.core.modelwrapper import ModelWrapper
        from qonnx.core.onnx_exec import execute_onnx
        from qonnx.transformation.infer_shapes import InferShapes
    except ImportError as exc:  # a missing oracle is a failure with an install hint, not a skip
        pytest.fail(f"qonnx is needed for this test: pip install -e '.[test]' ({exc})")
    wrapped = ModelWrapper(model)
    wrapped.set_tensor_shape("x", list(x.shape))
    wrapped = wrapped.transform(InferShapes())
    out = execute_onnx(wrapped, {"x": x.astype(np.float32)})
    return out[wrapped.graph.output[0].name].astype(np.float64)


def assert_equal_to_qonnx_with_export(model, x, path):
    """hh.predict of ``model`` equals qonnx's executor on it, and so does the executor on the
    graph's QONNX export written to ``path``."""
    import onnx

    g = hh.load_onnx(model)
    want = qonnx_execute(model, x)
    assert_array_equal(hh.predict(g, x), want)
    hh.save_qonnx(g, path)
    assert_array_equal(qonnx_execute(onnx.load(path), x), want)


def inputs_with_ties(rng, info, n=64):
    """Normal inputs spilling past the input range, plus exact ties of the input grid."""
    lsb = 2.0 ** -info["frac"]
    top = 2.0 ** (info["bits"] - info["frac"] - 1)
    x = rng.normal(0, top, (n, *info["shape"]))
    ties = rng.random(x.shape) < 0.3
    x[ties] = (np.floor(x[ties] / lsb) + 0.5) * lsb
    return x.astype(np.float32).astype(np.float64)


def test_mixed_width_mlp_matches_qonnx():
    model = mixed_mlp()
    rng = np.random.default_rng(3)
    x = inputs_with_ties(rng, {"bits": 8, "frac": 4, "shape": [6]}, n=500)
    assert_array_equal(hh.predict(hh.load_onnx(model), x), qonnx_execute(model, x))


@pytest.mark.slow
@settings(max_examples=80)
@given(seed=st.integers(0, 2**32 - 1), cnn=st.booleans())
def test_random_qonnx_models_match_qonnx(seed, cnn):
    rng = np.random.default_rng(seed)
    model, info = random_qonnx_model(rng, cnn)
    x = inputs_with_ties(rng, info)
    g = hh.load_onnx(model)
    assert_array_equal(hh.predict(g, x), qonnx_execute(model, x), err_msg=str(g))


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("mode", MODES)
def test_trunc_matches_qonnx(version, mode):
    rng = np.random.default_rng(version)
    model = trunc_model(version, mode, signed=1, narrow=int(mode == "ROUND"))
    x = inputs_with_ties(rng, {"bits": 10, "frac": 5, "shape": [3]}, n=400)
    assert_array_equal(hh.predict(hh.load_onnx(model), x), qonnx_execute(model, x))


def test_bipolar_quant_matches_qonnx():
    from .qonnx_models import QONNX_DOMAIN, ModelBuilder

    b = ModelBuilder("bipolar")
    w = b.node("BipolarQuant", [b.const(np.array([[0.3, -0.2], [0.0, -1.0], [2.0, 0.1]], np.float32)),
                                b.const(np.float32(0.5))], domain=QONNX_DOMAIN)
    x = b.node("BipolarQuant", ["x", b.const(np.float32(1.0))], domain=QONNX_DOMAIN)
    y = b.node("MatMul", [x, w])
    model = b.build({"x": ["N", 3]}, y)
    x = np.array([[0.5, -0.0, -2.0], [0.0, 1e-9, -1e-9]])
    expected = qonnx_execute(model, x)
    assert_array_equal(hh.predict(hh.load_onnx(model), x), expected)


def test_neg_matches_qonnx():
    """Neg (issue 14's op added by the architecture recipe): an unsigned input negates to a
    signed value one bit wider, and a narrow signed quantizer after it saturates."""
    from .qonnx_models import ModelBuilder

    b = ModelBuilder("neg")
    h = b.node("Neg", [b.quant("x", 6, 3, signed=0)])
    model = b.build({"x": ["N", 5]}, b.quant(h, 4, 1, mode="FLOOR"))
    x = inputs_with_ties(np.random.default_rng(4), {"bits": 8, "frac": 4, "shape": [5]}, n=300)
    assert_array_equal(hh.predict(hh.load_onnx(model), x), qonnx_execute(model, x))
