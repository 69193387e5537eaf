"""io_stream RTL: write_verilog(g, io="stream") through Verilator (cocotb, AXI4-Stream ports with
random stalls on every stream) equals hh.predict bit for bit; a convolution's logic is one kernel
whatever the image size; the design is lint-clean; a wrong kernel and a design that stops moving
beats are both caught by the testbench."""

import json
import subprocess

import numpy as np
import pytest

import hgq_hls as hh
from hgq_hls.backends import open_project
from hgq_hls.backends.verilog.sim import SimulationError, simulator_environment, verilator_bin
from hgq_hls.frontend.onnx.builder import ModelBuilder
from tests.backends.conftest import build_simulators
from tests.backends.hls_models import STREAM_MODELS
from tests.backends.outputs import assert_firmware_equals_reference

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def rtl_stream_builds(tmp_path_factory, model_graphs):
    """name -> (graph, streamed RTLProject, build error) for STREAM_MODELS, built in parallel."""
    root = tmp_path_factory.mktemp("rtl_stream")
    projects = {name: hh.write_verilog(model_graphs[name], root / name, io="stream") for name in STREAM_MODELS}
    errors = build_simulators(projects)
    return {name: (model_graphs[name], projects[name], errors[name]) for name in STREAM_MODELS}


@pytest.mark.parametrize("name", STREAM_MODELS)
def test_stream_rtl_equals_reference(rtl_stream_builds, name):
    g, project, error = rtl_stream_builds[name]
    if error is not None:
        raise error
    assert_firmware_equals_reference(g, project.simulate, 300, seed=3)


def _conv_net(size: int):
    """Conv 3x3 (pad 1) -> Relu -> MaxPool 2x2 on a 3 x size x size image."""
    rng = np.random.default_rng(4)
    b = ModelBuilder("convnet")
    w = b.const((rng.integers(-4, 5, (4, 3, 3, 3)) / 4.0).astype(np.float32))
    r = b.node("Relu", [b.node("Conv", ["x", w], pads=[1, 1, 1, 1])])
    y = b.node("MaxPool", [r], kernel_shape=[2, 2], strides=[2, 2])
    return hh.load_onnx(b.build({"x": ["N", 3, size, size]}, y), input_type="ap_fixed<6,3>",
                        default_type="ap_fixed<16,8>")


def test_a_convolution_is_one_kernel_whatever_the_image_size(tmp_path):
    small = hh.write_verilog(_conv_net(6), tmp_path / "small", io="stream")
    large = hh.write_verilog(_conv_net(24), tmp_path / "large", io="stream")
    assert [m["stage"] for m in small.manifest["modules"]] == ["window", "pixel", "window"]
    for m in small.manifest["modules"]:      # kernels equal byte for byte: only the line buffers grow
        assert (small.path / m["file"]).read_text() == (large.path / m["file"]).read_text()
    parallel = hh.write_verilog(_conv_net(24), tmp_path / "parallel")
    conv = [m for m in parallel.manifest["modules"] if m["op"] == "Conv"][0]
    kernel = [m for m in large.manifest["modules"] if m["op"] == "Conv"][0]
    # io_parallel unrolls 24 x 24 output pixels; the stream kernel computes one
    def size(project, m):
        return sum((project.path / "rtl" / f"{part}.v").stat().st_size for part in m["parts"] + [m["module"]])

    assert size(parallel, conv) > 100 * size(large, kernel)
    top = (large.path / "rtl" / "myproject.v").read_text()
    assert ".HP(26)" in top and ".WP(26)" in top and ".LEN(54)" in top   # 2 padded rows of 26 + 2, besides the newest
    assert_firmware_equals_reference(_conv_net(24), large.simulate, 40, seed=5)


def _residual():
    """x -> Conv -> Relu -> Add(relu, x): a fork of the input and a join."""
    rng = np.random.default_rng(0)
    b = ModelBuilder("residual")
    w = b.const((rng.integers(-4, 5, (2, 2, 3, 3)) / 4.0).astype(np.float32))
    r = b.node("Relu", [b.node("Conv", ["x", w], pads=[1, 1, 1, 1])])
    return hh.load_onnx(b.build({"x": ["N", 2, 5, 5]}, b.node("Add", [r, "x"])),
                        input_type="ap_fixed<6,3>", default_type="ap_fixed<16,8>")


@pytest.fixture(scope="module")
def residual_rtl(tmp_path_factory):
    g = _residual()
    return g, hh.write_verilog(g, tmp_path_factory.mktemp("res") / "p", io="stream")


@pytest.mark.parametrize("stall", ["0", "0.7"])
def test_forks_and_joins_hold_under_any_stalls(residual_rtl, monkeypatch, stall):
    g, project = residual_rtl
    top = (project.path / "rtl" / "myproject.v").read_text()
    assert "myproject_fork" in top and top.count("myproject_fifo #(") == 3  # both copies of x, the join's other input
    monkeypatch.setenv("HGQ_STALL", stall)
    assert_firmware_equals_reference(g, project.simulate, 100, seed=6)


def test_a_wrong_kernel_is_caught(residual_rtl, tmp_path):
    import shutil

    g, project = residual_rtl
    broken = tmp_path / "broken"
    shutil.copytree(project.path, broken)
    conv = [m for m in project.manifest["modules"] if m["op"] == "Conv"][0]
    path = broken / conv["file"]
    text = path.read_text()
    # the kernel's first output element is inverted
    first = text.index("assign out0[")
    line_end = text.index(";", first)
    lhs, rhs = text[first:line_end].split(" = ")
    path.write_text(text[:first] + f"{lhs} = ~({rhs})" + text[line_end:])
    with pytest.raises(AssertionError):
        assert_firmware_equals_reference(g, open_project(broken).simulate, 100, seed=6)


def test_a_design_that_stops_is_reported(residual_rtl, tmp_path, monkeypatch):
    import shutil

    g, project = residual_rtl
    stuck = tmp_path / "stuck"
    shutil.copytree(project.path, stuck)
    top = stuck / "rtl" / "myproject.v"
    valid = f"assign {project.manifest['outputs'][0]['name']}_TVALID = "
    text = top.read_text()
    assert valid in text
    # the output never becomes valid: the inputs fill the FIFOs, then nothing moves
    top.write_text("\n".join(ln.split("=")[0] + "= 1'b0;" if ln.strip().startswith(valid) else ln
                             for ln in text.splitlines()) + "\n")
    monkeypatch.setenv("HGQ_PATIENCE", "200")
    with pytest.raises(SimulationError, match="stopped moving beats"):
        open_project(stuck).simulate(np.zeros((2, 2, 5, 5)))


def test_stream_rtl_is_lint_clean(tmp_path, model_graphs):
    """Window, pixel (a join), buffered stages with many beats, forks and FIFOs, under -Wall."""
    for name in ("torch_hgq_residual", "reductions", "qonnx_random_cnn_2"):
        project = hh.write_verilog(model_graphs[name], tmp_path / name, io="stream")
        sources = [str(project.path / s) for s in project.manifest["sources"]]
        with simulator_environment():
            done = subprocess.run([str(verilator_bin() / "verilator"), "--lint-only", "-Wall",
                                   "--top-module", "myproject", *sources], capture_output=True, text=True)
        assert done.returncode == 0, f"{name}:\n{done.stderr[-3000:]}"


def test_cli_convert_estimate_verify_streamed(tmp_path, capsys):
    import onnx

    from hgq_hls.cli import main

    rng = np.random.default_rng(0)
    b = ModelBuilder("residual")
    w = b.const((rng.integers(-4, 5, (2, 2, 3, 3)) / 4.0).astype(np.float32))
    r = b.node("Relu", [b.node("Conv", ["x", w], pads=[1, 1, 1, 1])])
    model = tmp_path / "m.onnx"
    onnx.save(b.build({"x": ["N", 2, 5, 5]}, b.node("Add", [r, "x"])), model)
    types = ["--input-type", "ap_fixed<6,3>", "--default-type", "ap_fixed<16,8>"]
    out = tmp_path / "rtl"
    assert main(["convert", str(model), *types, "-o", str(out), "--backend", "verilog", "--io", "stream"]) == 0
    assert "io_stream, AXI4-Stream ports" in capsys.readouterr().out
    assert main(["estimate", str(model), *types, "--io", "stream", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["io"] == "stream"
    assert main(["verify", str(out), "--n", "200"]) == 0
    assert "bit-exact on 200 samples" in capsys.readouterr().out
