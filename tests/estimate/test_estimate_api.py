"""hh.estimate and `hgq-hls estimate`: report contents, outputs, errors, exact FF and latency."""

import json
import sys

import onnx
import pytest

import hgq_hls as hh
from hgq_hls.cli import main
from hgq_hls.estimate import available_targets, load_target

sys.path.insert(0, "examples/tiny_mlp")
from make_model import make_model, make_qonnx_model  # noqa: E402


@pytest.fixture(scope="module")
def tiny_qonnx(tmp_path_factory):
    path = tmp_path_factory.mktemp("est") / "tiny_qonnx.onnx"
    onnx.save(make_qonnx_model(), path)
    return path


def test_flip_flops_and_latency_are_counted_as_emitted(tiny_qonnx):
    r = hh.estimate(hh.load_onnx(tiny_qonnx))
    # hand-derived (as for `hgq-hls synth`): registers after Quant_20 (8 x 6 bits) and on the
    # output (3 x 10) + 2 valid bits; two stages
    assert r.ff == 8 * 6 + 3 * 10 + 2
    assert (r.latency_cycles, r.ii) == (2, 1)
    assert r.dsp == 0 and r.lut > 0


def test_report_outputs(tiny_qonnx, tmp_path):
    r = hh.estimate(hh.load_onnx(tiny_qonnx))
    text = r.table()
    assert "Dense" in text and "total" in text and "latency 2 cycle(s), II 1" in text
    data = json.loads(r.to_json())
    assert data["totals"]["ff"] == r.ff and len(data["nodes"]) == len(r.nodes)
    assert set(data["utilization"]) == {"lut", "ff", "dsp", "bram"}
    frame = r.to_dataframe()
    assert list(frame["node"]) == [n.node for n in r.nodes]
    assert frame["lut"].sum() == pytest.approx(r.total("lut"))
    r.plot(tmp_path / "est.png")
    assert (tmp_path / "est.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_extras_give_clear_messages(tiny_qonnx, tmp_path, monkeypatch):
    r = hh.estimate(hh.load_onnx(tiny_qonnx))
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'hgq_hls\[plot\]'"):
        r.plot(tmp_path / "x.png")
    with pytest.raises(ImportError, match="pip install pandas"):
        r.to_dataframe()
    assert main(["estimate", str(tiny_qonnx), "--plot", str(tmp_path / "x.png")]) == 2


def test_cli_estimate(tiny_qonnx, tmp_path, capsys):
    assert main(["estimate", str(tiny_qonnx)]) == 0
    out = capsys.readouterr().out
    assert "backend=verilog" in out and "yosys 0.70" in out and "latency 2 cycle(s)" in out
    assert main(["estimate", str(tiny_qonnx), "--backend", "hls", "--json", "--clock-ns", "4"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["backend"] == "hls" and data["clock_ns"] == 4 and "modelled" in data["describes"]
    plot = tmp_path / "layers.png"
    assert main(["estimate", str(tiny_qonnx), "--plot", str(plot)]) == 0
    assert plot.exists()


def test_float_model_needs_types(tmp_path, capsys):
    path = tmp_path / "float.onnx"
    onnx.save(make_model(), path)
    with pytest.raises(hh.InvalidGraphError, match="input_type"):
        hh.estimate(hh.load_onnx(path))
    assert main(["estimate", str(path)]) == 2
    assert "untyped" in capsys.readouterr().err
    assert main(["estimate", str(path), "--input-type", "ap_fixed<8,3>", "--default-type", "ap_fixed<10,4>"]) == 0


def test_bad_arguments(tiny_qonnx):
    g = hh.load_onnx(tiny_qonnx)
    with pytest.raises(ValueError, match="backend"):
        hh.estimate(g, backend="vivado")
    with pytest.raises(ValueError, match="unknown target 'xc7nope'.*xcvu9p"):
        hh.estimate(g, target="xc7nope")
    with pytest.raises(ValueError, match="coefficient file"):
        hh.estimate(g, target="ultrascale_plus")


def test_every_coefficient_states_its_source():
    assert {"xcvu9p", "xcvu13p", "xcu250"} <= set(available_targets())
    for name in available_targets():
        t = load_target(name)
        for backend in ("verilog", "hls"):
            sources = t.sources(backend)
            assert sources and all(len(s) > 10 for s in sources.values()), (name, backend)
        assert t.device["lut"] > 0


def test_utilization_uses_the_device_totals(tiny_qonnx):
    r = hh.estimate(hh.load_onnx(tiny_qonnx), target="xcvu13p")
    assert r.utilization()["lut"] == r.lut / 1_728_000
    assert r.utilization()["ff"] == r.ff / 3_456_000
