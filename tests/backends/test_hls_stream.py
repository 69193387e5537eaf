"""io_stream: the stream models of hls_models through a streamed top (line-buffer windows, DATAFLOW
processes, forks) equals hh.predict bit for bit in g++ C-simulation on the ap_fixed headers;
the project's structure (streams, FIFO depths, names) and the C-simulation stand-in's own checks."""

import subprocess

import numpy as np
import pytest

import hgq_hls as hh
from hgq_hls.backends.hls.stream import stream_shape
from hgq_hls.templating import render
from hgq_hls.toolchain import ap_types_include, cxx_compiler
from tests.backends.hls_models import STREAM_MODELS
from tests.backends.outputs import assert_firmware_equals_reference
from hgq_hls.frontend.onnx.builder import ModelBuilder

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", STREAM_MODELS)
def test_stream_csim_equals_reference(hls_stream_builds, name):
    g, project, error = hls_stream_builds[name]
    if error is not None:
        raise error
    assert_firmware_equals_reference(g, project.predict, 1000, seed=1)


def test_stream_shapes():
    assert stream_shape((16, 8, 6)) == (48, 16)      # (C, H, W): H*W pixels of C
    assert stream_shape((4, 10)) == (10, 4)          # (C, L)
    assert stream_shape((10,)) == (1, 10)            # a vector: one pixel
    assert stream_shape(()) == (1, 1)


def _residual_cnn():
    """x -> Conv -> Relu -> Add(relu, x): one fork of the input, one join."""
    rng = np.random.default_rng(0)
    b = ModelBuilder("residual")
    w = b.const((rng.integers(-4, 5, (2, 2, 3, 3)) / 4.0).astype(np.float32))
    r = b.node("Relu", [b.node("Conv", ["x", w], pads=[1, 1, 1, 1])])
    m = b.build({"x": ["N", 2, 5, 5]}, b.node("Add", [r, "x"]))
    return hh.load_onnx(m, input_type="ap_fixed<6,3>", default_type="ap_fixed<16,8>")


def test_forks_and_joins_get_whole_tensor_fifos(tmp_path):
    g = _residual_cnn()
    project = hh.write_hls(g, tmp_path / "p", io="stream")
    top = (project.path / "firmware" / "myproject.cpp").read_text()
    assert "#pragma HLS DATAFLOW" in top and "#pragma HLS INTERFACE axis port=x" in top
    # the input is forked (it feeds the Conv and the Add); both copies hold a whole tensor (25
    # pixels), and so does the Add's other input; the chain stream between Conv and Relu two
    depths = dict(line.split("variable=")[1].split(" depth=") for line in top.splitlines() if "depth=" in line)
    assert sorted(depths.values()) == ["2", "25", "25", "25"], depths
    layers = (project.path / "firmware" / "layers.h").read_text()
    assert "line_[3][7][2]" in layers          # 3 padded rows of 5 + 2 pixels, 2 channels
    assert_firmware_equals_reference(g, project.predict, 300, seed=2)


def test_stream_testbench_passes(tmp_path):
    project = hh.write_hls(_residual_cnn(), tmp_path / "p", io="stream")
    exe = tmp_path / "tb"
    # the Vitis testbench, built as Vitis HLS's csim builds it, with the stand-in hls::stream
    subprocess.run([cxx_compiler(), "-std=c++14", "-O1", "-fno-exceptions", "-w", "-I", str(ap_types_include()),
                    "-I", str(project.path / "firmware"), "-I", str(project.path / "csim"),
                    str(project.path / "tb_myproject.cpp"), str(project.path / "firmware" / "myproject.cpp"),
                    "-o", str(exe)], check=True)
    done = subprocess.run([str(exe)], cwd=project.path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "100 samples, 0 mismatching values" in done.stdout


@pytest.mark.parametrize("body, message", [
    ("s.read();", "hls::stream fifo_probe read while empty"),
    ("s.write(1);", "hls::stream fifo_probe destroyed holding 1 values"),
])
def test_the_csim_stream_aborts_on_a_miscounted_stream(tmp_path, body, message):
    """A process that reads one pixel too many, or leaves one behind, cannot pass C-simulation."""
    (tmp_path / "hls_stream.h").write_text(render("hls/stream/hls_stream.h.j2"))
    (tmp_path / "probe.cpp").write_text('#include "hls_stream.h"\nint main() {\n'
                                        f'    hls::stream<int> s("fifo_probe");\n    {body}\n    return 0;\n}}\n')
    subprocess.run([cxx_compiler(), "-std=c++14", "-I", str(tmp_path), str(tmp_path / "probe.cpp"),
                    "-o", str(tmp_path / "probe")], check=True)
    done = subprocess.run([str(tmp_path / "probe")], capture_output=True, text=True)
    assert done.returncode != 0 and message in done.stderr
