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


def test_dense_searches_started_ahead_are_the_ones_the_lowering_asks_for(monkeypatch):
    # the search of each Dense layer is started before its netlist is built; the lowering must
    # find it (by content) instead of searching again, and nothing may be left behind
    from hgq_hls.lowering import cse

    verilog_cost.clear_cache()
    started, inline = [], []
    real = cse._eliminate
    monkeypatch.setattr(cse, "_eliminate", lambda *a: started.append(1) or real(*a))
    real_flat = cse.eliminate_flat
    w = np.random.default_rng(1).integers(-32, 32, (40, 24)) / 16
    g = _layer(w)
    monkeypatch.setattr(ops.linear, "TREE_DEPTHS", ())     # the plain form only: one search per layer
    with monkeypatch.context() as m:
        m.setattr(ops.linear, "eliminate_flat", lambda *a: inline.append(cse._AHEAD.copy()) or real_flat(*a))
        est = hh.estimate(g, backend="verilog")
    assert len(started) == 1 and len(inline) == 1 and len(inline[0]) == 1   # found waiting, not redone
    assert not cse._AHEAD
    # the same figures without searching ahead
    verilog_cost.clear_cache()
    monkeypatch.setattr(ops.linear, "search_dense_ahead", lambda g, node: None)
    assert hh.estimate(g, backend="verilog").lut == est.lut
