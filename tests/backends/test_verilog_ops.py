"""Every supported op, through write_verilog -> Verilator (cocotb), equals hh.predict bit for bit.

The RTL is an independent implementation: shift-and-add constant multiplications, explicit
rounding/overflow logic and ROMs, simulated cycle by cycle at II = 1.  Inputs include
out-of-range values and exact rounding ties.  Also: the Verilog is lint-clean under
``verilator --lint-only -Wall``, and every rounding x overflow mode casts as ap_fixed does.
"""

import re
import subprocess

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import hgq_hls as hh
from hgq_hls.backends.verilog.sim import simulator_environment, verilator_bin
from hgq_hls.frontend.onnx.builder import ModelBuilder
from hgq_hls.verification import stimulus
from tests.backends.hls_models import MODELS
from tests.backends.conftest import build_simulators
from tests.backends.outputs import assert_firmware_equals_reference

pytestmark = pytest.mark.slow
ROUNDING = ["TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_MIN_INF", "RND_INF", "RND_CONV"]
OVERFLOW = ["WRAP", "SAT", "SAT_ZERO", "SAT_SYM"]


def every_cast_model():
    """One input, 56 outputs: each a Mul by 1 whose declared type has its own modes and width."""
    b = ModelBuilder("casts")
    one = b.const(np.float32(1.0))
    outputs, precision = [], {}
    for k, (q, o) in enumerate((q, o) for q in ROUNDING for o in OVERFLOW):
        for signed in (True, False):
            y = b.node("Mul", ["x", one])
            outputs.append(y)
            width = 1 + (k + signed) % 6                      # widths 1..6 (1-bit corner included)
            precision[f"Mul_{b.k}"] = hh.FixedType(signed, width, width - 3 + k % 3, q, o)
    return hh.load_onnx(b.build({"x": ["N", 3]}, outputs),
                        input_type=hh.FixedType(True, 10, 4, "TRN", "WRAP"), precision=precision)


def split_dense_model():
    """A layer big enough to be split into parts (with shared common subexpressions)."""
    rng = np.random.default_rng(21)
    b = ModelBuilder("split")
    w = b.quant(b.const(rng.normal(0, 1, (16, 40)).astype(np.float32)), 7, 4)
    y = b.quant(b.node("Relu", [b.node("MatMul", [b.quant("x", 8, 3), w])]), 9, 3, signed=0)
    return hh.load_onnx(b.build({"x": ["N", 16]}, y))


RTL_MODELS = dict(MODELS, every_cast=every_cast_model, split_dense=split_dense_model)


@pytest.fixture(scope="session")
def rtl_builds(tmp_path_factory):
    """name -> (graph, RTLProject, build error) with every simulator built once, in parallel."""
    root = tmp_path_factory.mktemp("rtl")
    graphs = {name: fn() for name, fn in RTL_MODELS.items()}
    projects = {name: hh.write_verilog(g, root / name) for name, g in graphs.items()}
    errors = build_simulators(projects)
    return {name: (graphs[name], projects[name], errors[name]) for name in RTL_MODELS}


@pytest.mark.parametrize("name", list(RTL_MODELS))
def test_rtl_simulation_equals_reference(rtl_builds, name):
    g, project, error = rtl_builds[name]
    if error is not None:
        raise error
    assert_firmware_equals_reference(g, project.simulate, 1000, seed=2)


@pytest.mark.parametrize("name", ["qonnx_random_cnn_2", "softmax_middle_axis", "every_cast", "split_dense",
                                  "two_inputs_output_read_inside", "zero_width_tensor", "movement"])
def test_verilog_is_lint_clean(rtl_builds, name):
    _, project, _ = rtl_builds[name]
    sources = [str(project.path / s) for s in project.manifest["sources"]]
    with simulator_environment():
        done = subprocess.run([str(verilator_bin() / "verilator"), "--lint-only", "-Wall",
                               "--top-module", project.name, *sources], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "%Warning" not in done.stderr, done.stderr[-3000:]


def test_pipeline_modes(tmp_path):
    g = MODELS["qonnx_random_cnn_3"]()
    layered = hh.write_verilog(g, tmp_path / "layer")
    flat = hh.write_verilog(g, tmp_path / "none", pipeline="none")
    assert flat.latency == 0 and layered.latency == 3          # conv, pool, dense: one stage each
    x = stimulus(g, 300, seed=4)[0]
    assert_array_equal(flat.simulate(x), hh.predict(g, x))
    with pytest.raises(ValueError, match="pipeline"):
        hh.write_verilog(g, tmp_path / "bad", pipeline="retimed")


def test_a_wrong_expectation_fails_the_testbench(rtl_builds):
    from hgq_hls.backends.verilog import sim

    g, project, _ = rtl_builds["qonnx_mixed_mlp"]
    x = stimulus(g, 50, seed=5)[0]
    mantissas = project._mantissas(project.input_arrays(x))
    want = np.round(hh.predict(g, x) * 2 ** project.manifest["outputs"][0]["frac"]).astype(np.int64)
    want[7, 1] += 1
    with pytest.raises(sim.SimulationError, match="1 values differ; first at sample 7, index 1"):
        sim.run(sim.build(project.path, project.manifest), project.manifest, mantissas, expected=[want])


def test_large_layers_are_split(rtl_builds):
    _, project, _ = rtl_builds["split_dense"]
    dense = next(m for m in project.manifest["modules"] if m["op"] == "Dense")
    assert len(dense["parts"]) >= 3 and any("shared" in p for p in dense["parts"])


def test_parts_read_only_the_shared_signals_they_use(tmp_path, monkeypatch):
    # small parts: several shared chunks, each reading some of the earlier ones (c_in), and
    # groups reading a few of the shared signals each (s_in), wired by slices of the buses
    from hgq_hls.backends.verilog import partition

    monkeypatch.setattr(partition, "MAX_CELLS", 40)
    g = split_dense_model()
    project = hh.write_verilog(g, tmp_path / "small_parts")
    dense = next(m for m in project.manifest["modules"] if m["op"] == "Dense")
    assert sum("shared" in p for p in dense["parts"]) >= 3
    texts = {p: (project.path / "rtl" / f"{p}.v").read_text() for p in dense["parts"]}
    bus = sum(int(re.search(r"wire \[(\d+):0\] shared\d+;", line).group(1)) + 1
              for line in (project.path / "rtl" / f"{dense['module']}.v").read_text().splitlines()
              if re.search(r"wire \[\d+:0\] shared\d+;", line))
    widths = [int(m.group(1)) + 1 for t in texts.values() for m in [re.search(r"input  wire \[(\d+):0\] s_in", t)] if m]
    assert widths and max(widths) < bus
    assert any("c_in" in t for t in texts.values())
    assert_firmware_equals_reference(g, project.simulate, 500, seed=3)
