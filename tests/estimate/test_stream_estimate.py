"""hh.estimate(backend="hls", io="stream"): the io_stream model against hand-derived counts of
the design write_hls(io="stream") emits (one kernel per window layer, line buffers, FIFOs)."""

import numpy as np
import pytest

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder


def _conv_relu(size: int, weights: np.ndarray, residual: bool = False):
    """x (2 x size x size) -> 3x3 Conv (pad 1) -> Relu [-> Add x]."""
    b = ModelBuilder("conv")
    r = b.node("Relu", [b.node("Conv", ["x", b.const(weights.astype(np.float32))], pads=[1, 1, 1, 1])])
    y = b.node("Add", [r, "x"]) if residual else r
    return hh.load_onnx(b.build({"x": ["N", 2, size, size]}, y), input_type="ap_fixed<6,3>",
                        default_type="ap_fixed<16,8>")


def _weights(seed=0):
    w = np.random.default_rng(seed).integers(-4, 5, (2, 2, 3, 3)) / 4.0
    w[0, 0, 0, 0] = 0                                    # one pruned weight
    return w


def _row(report, op):
    return next(n for n in report.nodes if n.op == op)


def test_a_streamed_conv_is_one_kernel_whatever_the_image():
    w = _weights()
    small, large = (hh.estimate(_conv_relu(n, w), backend="hls", io="stream") for n in (6, 24))
    nonzero = int(np.count_nonzero(w))
    for report in (small, large):
        # each non-zero weight is multiplied once per pixel, not once per output position
        assert _row(report, "Conv").detail["multiplications"] == nonzero
    parallel = hh.estimate(_conv_relu(24, w), backend="hls")
    assert _row(parallel, "Conv").detail["multiplications"] > 400 * nonzero
    # the kernel's logic is the same at both sizes; only the line buffer (3 x 2 rows of
    # 26 vs 8 words of 6 bits, distributed RAM: one LUT per bit per 64 words) differs, 0 LUTs here
    assert _row(small, "Conv").lut == pytest.approx(_row(large, "Conv").lut)
    assert _row(large, "Relu").lut == pytest.approx(_row(small, "Relu").lut)


def test_stream_interval_and_latency_follow_the_raster():
    report = hh.estimate(_conv_relu(6, _weights()), backend="hls", io="stream")
    # the Conv's process iterates the padded raster, 8 x 8 positions, one per cycle
    assert report.ii == 64
    assert _row(report, "Conv").detail["cycles_per_sample"] == 64
    assert report.io == "stream" and "io_stream" in report.describes
    # the last output pixel leaves after the last input (cycle 35) plus the rest of the padded
    # raster after it (the last window's corner, 9 positions later) and the pipelines
    assert report.latency_cycles > 35 + 9


def test_fifos_of_a_fork_and_a_join_hold_whole_tensors():
    g = _conv_relu(5, _weights(), residual=True)
    top = _row(hh.estimate(g, backend="hls", io="stream"), "fifos")
    # x is forked to the Conv and the Add: two copies of 25 pixels of 2 x 6 bits (shift registers,
    # one LUT per pixel bit up to 32 entries); the Add's other input holds 25 pixels of Relu's
    # 2 x 16 bits (a join); the Conv -> Relu chain is 2 registers of 2 x 16 bits
    assert top.detail["fifos"] == 4
    assert top.lut == 2 * 12 + 2 * 16
    assert top.ff == 2 * 2 * 16


def test_io_is_checked():
    g = _conv_relu(5, _weights())
    with pytest.raises(ValueError, match="io"):
        hh.estimate(g, backend="hls", io="serial")
    with pytest.raises(ValueError, match="backend='verilog' has io 'parallel', 'stream'"):
        hh.estimate(g, backend="verilog", io="serial")
