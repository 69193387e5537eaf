"""The reference's shortcuts are exact: float32/float64 BLAS only where the bound proves every
partial sum an exact integer, and a large batch run in chunks.  Oracles: Python-int dot products
(object arrays) and the unchunked run (``trace=True``)."""

import numpy as np
from numpy.testing import assert_array_equal

import hgq_hls as hh
from hgq_hls.reference import executor
from hgq_hls.reference.exact import matmul, matmul_plan
from hgq_hls.frontend.onnx.builder import ModelBuilder


def _extreme_ints(rng, bits, shape):
    """Random ints of ``bits`` magnitude bits with the extremes present (the bound is tight)."""
    top = 2 ** bits - 1
    a = rng.integers(-top, top + 1, shape)
    a.flat[0], a.flat[-1] = top, -top
    return a.astype(np.int64)


def test_each_plan_is_exact_at_its_bound():
    rng = np.random.default_rng(0)
    for xbits, wbits, k, plan in [(8, 8, 256, "float32"), (8, 8, 257, "float"), (12, 11, 2, "float32"),
                                  (24, 24, 16, "float"), (30, 28, 4, "int64"), (40, 30, 4, "object")]:
        x, w = _extreme_ints(rng, xbits, (64, k)), _extreme_ints(rng, wbits, (k, 8))
        x[0], w[:, 0] = 2 ** xbits - 1, 2 ** wbits - 1       # one sum at the bound itself
        assert matmul_plan(x, w, k) == plan, (xbits, wbits, k)
        want = x.astype(object) @ w.astype(object)
        got = matmul(x, w)
        assert got.dtype != np.float32 and (got.astype(object) == want).all(), plan


def test_a_batch_run_in_chunks_equals_the_unchunked_run(monkeypatch):
    b = ModelBuilder("cnn")
    w = np.random.default_rng(1).normal(0, 0.5, (4, 2, 3, 3)).astype(np.float32)
    h = b.node("Conv", [b.quant("x", 8, 4), b.quant(b.const(w), 4, 2)], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    model = b.build({"x": ["N", 2, 6, 6]}, [b.quant(b.node("Relu", [h]), 6, 3, signed=0), b.quant(h, 8, 2)])
    g = hh.load_onnx(model)
    x = np.random.default_rng(2).normal(0, 2, (103, 2, 6, 6))
    monkeypatch.setattr(executor, "CHUNK_ELEMENTS", 150)          # 144 elements per sample: chunks of 1
    assert len(executor._batch_chunks(g, x)) == 103
    chunked = hh.predict(g, x)
    trace = hh.predict(g, x, trace=True)
    for k, name in enumerate(g.outputs):
        assert_array_equal(chunked[k], trace[name])
