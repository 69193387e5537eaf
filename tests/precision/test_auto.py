"""hh.auto_precision on a small float MLP: budgets hold by the estimator, mixed beats uniform."""

import math

import numpy as np
import pytest

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder
from hgq_hls.precision import InfeasibleError

BUDGET = {"lut": 6000}


@pytest.fixture(scope="module")
def float_mlp():
    rng = np.random.default_rng(0)
    b = ModelBuilder("f")

    def layer(x, n_in, n_out, scale, relu=True):
        h = b.node("Gemm", [x, b.const(rng.normal(0, scale, (n_in, n_out)).astype(np.float32)),
                            b.const(rng.normal(0, 0.1, n_out).astype(np.float32))])
        return b.node("Relu", [h]) if relu else h

    h = layer(layer("x", 16, 24, 0.5), 24, 16, 0.3)
    g = hh.load_onnx(b.build({"x": ["N", 16]}, layer(h, 16, 5, 0.3, relu=False)))
    calib = rng.normal(0, 1, (256, 16))
    return g, calib


pytestmark = pytest.mark.slow          # four searches over a real estimator: tool-heavy, run in CI


@pytest.fixture(scope="module", params=["pareto", "first-order"])
def searched(request, float_mlp):
    g, calib = float_mlp
    gq, report = hh.auto_precision(g, calib, bits=range(3, 9), budget=BUDGET, method=request.param)
    return g, calib, gq, report


def test_the_budget_holds_by_the_estimator(searched):
    _, _, gq, report = searched
    assert hh.estimate(gq).lut <= BUDGET["lut"]
    assert report.cost["lut"] == hh.estimate(gq).lut


def test_mixed_precision_beats_the_best_uniform_that_fits(searched):
    g, calib, gq, report = searched
    # the score, recomputed from the returned graph against the float model by the SQNR's
    # definition (not the search's own function): 20 log10(|y| / |y - y_q|)
    y, yq = hh.predict(g, calib), hh.predict(gq, calib)
    measured = 20 * math.log10(np.linalg.norm(y) / np.linalg.norm(y - yq))
    assert measured == pytest.approx(report.score, abs=1e-9)
    best_uniform = report.best_uniform()
    assert best_uniform is not None and best_uniform.cost["lut"] <= BUDGET["lut"]
    assert measured > best_uniform.score + 1.0            # dB
    assert "best uniform within the budget" in report.table()


def test_the_chosen_graph_is_saved_as_qonnx_and_read_back(searched, tmp_path):
    _, calib, gq, _ = searched
    hh.save_qonnx(gq, tmp_path / "chosen.onnx")
    back = hh.load_onnx(tmp_path / "chosen.onnx")
    assert [(n.name, n.op) for n in back.topological()] == [(n.name, n.op) for n in gq.topological()]
    assert {k: t.type for k, t in back.tensors.items() if not t.is_const} == \
           {k: t.type for k, t in gq.tensors.items() if not t.is_const}
    np.testing.assert_array_equal(hh.predict(back, calib), hh.predict(gq, calib))
    assert hh.estimate(back).lut == hh.estimate(gq).lut


def test_target_sqnr_gives_the_cheapest_design_that_reaches_it(float_mlp):
    g, calib = float_mlp
    gq, report = hh.auto_precision(g, calib, bits=range(3, 9), target_sqnr_db=15.0)
    y, yq = hh.predict(g, calib), hh.predict(gq, calib)
    assert 20 * math.log10(np.linalg.norm(y) / np.linalg.norm(y - yq)) >= 15.0
    cheaper = [p for p in report.curve if p.score >= 15.0 and p.cost["lut"] < report.cost["lut"]]
    assert not cheaper


def test_report_outputs(searched, tmp_path):
    import json

    *_, report = searched
    data = json.loads(report.to_json())
    assert data["chosen"] and data["curve"] and set(data["uniform"]) == {str(b) for b in range(3, 9)}
    report.plot(tmp_path / "pareto.png")
    assert (tmp_path / "pareto.png").read_bytes()[:4] == b"\x89PNG"


def test_bad_requests_are_refused(float_mlp):
    g, calib = float_mlp
    with pytest.raises(ValueError, match="exactly one of"):
        hh.auto_precision(g, calib, budget=BUDGET, target_sqnr_db=10)
    with pytest.raises(ValueError, match="keys must be among"):
        hh.auto_precision(g, calib, budget={"luts": 10})
    with pytest.raises(ValueError, match="method"):
        hh.auto_precision(g, calib, budget=BUDGET, method="hessian")
    with pytest.raises(InfeasibleError, match="lut <= 10 is impossible: the cheapest candidate"):
        hh.auto_precision(g, calib, bits=[3, 4], budget={"lut": 10})      # refused before the search
    with pytest.raises(hh.ArgumentError, match="bits"):
        hh.auto_precision(g, calib, bits=[0, 4], budget=BUDGET)
    typed = hh.load_onnx(hh.frontend.onnx.to_qonnx(hh.auto_precision(g, calib, bits=[4], budget=BUDGET)[0]))
    with pytest.raises(ValueError, match="float graph"):
        hh.auto_precision(typed, calib, budget=BUDGET)


def test_cli_precision(tmp_path, capsys):
    import onnx

    from hgq_hls.cli import main

    rng = np.random.default_rng(5)
    b = ModelBuilder("f")
    h = b.node("Relu", [b.node("Gemm", ["x", b.const(rng.normal(0, 0.5, (8, 6)).astype(np.float32))])])
    model = b.build({"x": ["N", 8]}, b.node("Gemm", [h, b.const(rng.normal(0, 0.5, (6, 3)).astype(np.float32))]))
    onnx.save(model, tmp_path / "f.onnx")
    np.save(tmp_path / "calib.npy", rng.normal(0, 1, (64, 8)))
    args = ["precision", str(tmp_path / "f.onnx"), "--calib", str(tmp_path / "calib.npy"), "--bits", "3-6",
            "--budget", "lut=800", "-o", str(tmp_path / "typed.onnx"), "--plot", str(tmp_path / "p.png")]
    assert main(args) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "auto_precision (pareto" in out and "wrote" in out and (tmp_path / "p.png").exists()
    # every phase says so in a log (stderr is not a terminal here)
    for phase in ("precision: calibration ranges done", "precision: uniform baselines", "pareto curve"):
        assert phase in captured.err, captured.err
    assert main(args) == 2                                           # the output exists now
    assert "exists; pass --force" in capsys.readouterr().err
    before = (tmp_path / "f.onnx").read_bytes()
    assert main(args[:-4] + ["-o", str(tmp_path / "f.onnx"), "--force"]) == 2
    assert "is the input model" in capsys.readouterr().err and (tmp_path / "f.onnx").read_bytes() == before
    assert main(args[:-4] + ["-o", str(tmp_path / "t4.onnx"), "--budget", "lut=5"]) == 2
    assert "impossible" in capsys.readouterr().err and not (tmp_path / "t4.onnx").exists()
    assert hh.estimate(hh.load_onnx(tmp_path / "typed.onnx")).lut <= 800
    assert main(args[:-4] + ["-o", str(tmp_path / "t2.onnx"), "--budget", "lut"]) == 2
    assert "RESOURCE=NUMBER" in capsys.readouterr().err
    assert main(["precision", str(tmp_path / "typed.onnx"), "--calib", str(tmp_path / "calib.npy"),
                 "--budget", "lut=800", "-o", str(tmp_path / "t3.onnx")]) == 2
    assert "float model" in capsys.readouterr().err
