"""One lowering shared by the Verilog writer and the estimator, keyed by content."""

from __future__ import annotations

import numpy as np

import hgq_hls as hh
from hgq_hls.estimate import verilog_cost
from hgq_hls.frontend.onnx.builder import ModelBuilder
from hgq_hls.lowering import ops


def _layer(w):
    b = ModelBuilder("cache")
    y = b.quant(b.node("MatMul", [b.quant("x", 8, 4), b.quant(b.const(w.astype(np.float32)), 6, 4)]), 12, 6)
    return hh.load_onnx(b.build({"x": [1, w.shape[0]]}, y))


def test_an_estimate_after_write_verilog_lowers_nothing(tmp_path, monkeypatch):
    verilog_cost.clear_cache()
    lowered = []
    real = ops._lower
    monkeypatch.setattr(ops, "_lower", lambda g, node: lowered.append(node.name) or real(g, node))
    w = np.random.default_rng(0).integers(-32, 32, (12, 6)) / 16
    g = _layer(w)
    hh.write_verilog(g, tmp_path / "rtl")
    first = list(lowered)
    assert first, "write_verilog lowered nothing"
    est = hh.estimate(g, backend="verilog")
    assert lowered == first                     # the estimate reused every netlist
    # a changed weight is a different netlist
    w2 = w.copy()
    w2[0, 0] = -w2[0, 0] if w2[0, 0] else 0.5
    hh.estimate(_layer(w2), backend="verilog")
    assert len(lowered) > len(first)
    # and a cold estimate gives the same numbers
    verilog_cost.clear_cache()
    assert hh.estimate(g, backend="verilog").lut == est.lut
