"""The Verilog project: golden text, manifest, CLI sequence, overwrite rules, yosys counts."""

import json
import sys
from pathlib import Path

import onnx
import pytest

import hgq_hls as hh
from hgq_hls.backends.project_dir import ProjectExistsError
from hgq_hls.lowering.csd import csd_digits
from hgq_hls.cli import main
from tests.golden import assert_matches_golden

sys.path.insert(0, str(Path(__file__).parents[2] / "examples" / "tiny_mlp"))
from make_model import make_qonnx_model  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_rtl(tmp_path_factory):
    return hh.write_verilog(hh.load_onnx(make_qonnx_model()), tmp_path_factory.mktemp("v") / "prj")


def test_csd_digits_are_minimal_and_exact():
    for k in range(-300, 301):
        digits = csd_digits(k)
        assert sum(s * 2**p for s, p in digits) == k
        shifts = [p for _, p in digits]
        assert all(b - a >= 2 for a, b in zip(shifts, shifts[1:]))       # no adjacent digits
    assert len(csd_digits(127)) == 2 and len(csd_digits(45)) == 4          # 128-1; 64-16-4+1


def test_generated_verilog_is_pinned(tiny_rtl):
    rtl = tiny_rtl.path / "rtl"
    assert_matches_golden("rtl_tiny_mlp_top.v", (rtl / "myproject.v").read_text())
    assert_matches_golden("rtl_tiny_mlp_quant35.v", (rtl / "myproject_Quant_35.v").read_text())


def test_manifest_describes_the_ports(tiny_rtl):
    m = json.loads((tiny_rtl.path / "manifest.json").read_text())
    assert m["latency"] == 2 and m["ii"] == 1                # two dense layers, one stage each
    (x,), (y,) = m["inputs"], m["outputs"]
    assert (x["size"], x["bits"], x["ctype"]) == (4, 8, "ap_fixed<8,3,AP_RND_CONV,AP_SAT>")
    assert (y["size"], y["bits"], y["valid"]) == (3, 10, "quant35_ap_vld")
    assert len(m["modules"]) == 6 and m["sources"][-1] == "rtl/myproject.v"


def test_overwrite_rules_hold_for_rtl(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    g = hh.load_onnx(make_qonnx_model())
    with pytest.raises(ProjectExistsError):
        hh.write_verilog(g, tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_cli_convert_verify_synth(tmp_path, capsys):
    model = tmp_path / "tiny.onnx"
    onnx.save(make_qonnx_model(), model)
    out = tmp_path / "rtl"
    assert main(["convert", str(model), "-o", str(out), "--backend", "verilog"]) == 0
    assert "latency 2 cycle(s)" in capsys.readouterr().out
    assert main(["verify", str(out), "--n", "1500"]) == 0
    assert "RTL simulation (Verilator) vs hh.predict: bit-exact on 1500 samples" in capsys.readouterr().out
    assert main(["synth", str(out), "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    # in a log (stderr is no terminal) every finished module is a line with the elapsed time
    assert captured.err.count("module(s) done") >= 7 and "yosys: 7/7 module(s) done" in captured.err
    # no multiplier in the design: the -nodsp counts are the DSP run's, not a second run
    assert "yosys -nodsp" not in captured.err
    totals = report["totals"]
    # hand-derived: registers after Quant_20 (8 x 6 bits) and on the output (3 x 10) + 2 valid bits
    assert totals["ff"] == 8 * 6 + 3 * 10 + 2
    assert totals["lut"] > 0 and totals["dsp"] == 0                 # constants are shift-and-add
    assert "yosys 0.70" in report["tool"] and len(report["modules"]) == 7


def _plant_stale_entry(entry, binary_name, scratch):
    """A binary linked against a library that is then deleted, as after removing the old venv."""
    import subprocess

    entry.mkdir(parents=True, exist_ok=True)
    (scratch / "gone.c").write_text("int gone(void) { return 1; }\n")
    (scratch / "main.c").write_text("int gone(void); int main(void) { return gone(); }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(scratch / "libgone.so"), str(scratch / "gone.c")],
                   check=True)
    subprocess.run(["gcc", "-o", str(entry / binary_name), str(scratch / "main.c"), f"-L{scratch}",
                    "-lgone", f"-Wl,-rpath,{scratch}"], check=True)
    (scratch / "libgone.so").unlink()


def test_a_cached_simulator_whose_libraries_are_gone_is_rebuilt(tiny_rtl, tmp_path, monkeypatch):
    """Issue 13: once the venv that built a cache entry is deleted, verify must still work."""
    from hgq_hls.backends.verilog import sim

    monkeypatch.setenv("HGQ_HLS_CACHE", str(tmp_path / "cache"))
    entry = sim.build_dir_for(tiny_rtl.path, tiny_rtl.manifest)
    _plant_stale_entry(entry, tiny_rtl.name, tmp_path)
    assert not sim.entry_runs(entry, tiny_rtl.name) and entry in sim.stale_entries()
    main(["doctor"])
    assert not entry.exists()                                   # doctor removed it
    _plant_stale_entry(entry, tiny_rtl.name, tmp_path)
    report = tiny_rtl.verify(n=200)                              # rebuilt, not a loader error
    assert report.ok, report
    assert sim.entry_runs(entry, tiny_rtl.name)


def test_a_product_of_two_signals_is_found_in_the_verilog(tmp_path):
    # oracle: the netlists' own cells (Softmax multiplies each exponential by the inverse sum)
    from hgq_hls.backends.verilog.synth import multiplies
    from hgq_hls.lowering.ops import node_netlist
    from tests.backends.hls_models import MODELS

    found = {}
    for name in ("softmax_last_axis", "clip_inverted_bounds"):
        g = MODELS[name]()
        v = hh.write_verilog(g, tmp_path / name)
        has_mul = any(c.kind == "mul" for node in g.topological() for c in node_netlist(g, node, "m").cells)
        texts = [(v.path / s).read_text() for s in v.manifest["sources"]]
        found[name] = (any(multiplies(t) for t in texts), has_mul)
    assert found == {"softmax_last_axis": (True, True), "clip_inverted_bounds": (False, False)}
