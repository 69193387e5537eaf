"""Samples/s of hh.predict (bit-exact reference) against peers, run side by side.

Models: a 16-64-32-32-5 QONNX MLP and a small QONNX CNN (mixed per-tensor widths).
Peers: onnxruntime on the float version of the same network (same weight values), and
hls4ml's C-simulation predict (``HLSModel.predict``) of the same QONNX model.  Prints
samples/s and the ratio hgq_hls / peer, plus how many hls4ml outputs equal hh.predict.
Run: ``pip install -e .[bench]`` then ``python benchmarks/reference_throughput.py``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import hgq_hls as hh
from common import best_of

from hgq_hls.frontend.onnx.builder import ModelBuilder

N = 10_000


def mlp(rng):
    """QONNX 16-64-32-32-5 MLP and its float twin (weights already on their grids)."""
    b, f = ModelBuilder("mlp"), ModelBuilder("mlp_float")
    h, hf = b.quant("x", 8, 4), "x"
    sizes = [16, 64, 32, 32, 5]
    for k in range(4):
        w = np.round(rng.normal(0, 0.5, (sizes[k], sizes[k + 1])) * 16).clip(-32, 31) / 16
        bias = np.round(rng.normal(0, 0.1, sizes[k + 1]) * 64) / 64
        h = b.node("Add", [b.node("MatMul", [h, b.quant(b.const(w.astype(np.float32)), 6, 4)]),
                           b.quant(b.const(bias.astype(np.float32)), 8, 6)])
        hf = f.node("Add", [f.node("MatMul", [hf, f.const(w.astype(np.float32))]),
                            f.const(bias.astype(np.float32))])
        if k < 3:
            h, hf = b.quant(b.node("Relu", [h]), 8, 4, signed=0), f.node("Relu", [hf])
        else:
            h = b.quant(h, 12, 6)
    return b.build({"x": [1, 16]}, h), f.build({"x": ["N", 16]}, hf), (16,)


def cnn(rng):
    """QONNX CNN: Conv(1->4, 3x3) - ReLU - MaxPool 2x2 - Dense(36->5), and its float twin."""
    b, f = ModelBuilder("cnn"), ModelBuilder("cnn_float")
    w = (np.round(rng.normal(0, 0.5, (4, 1, 3, 3)) * 8).clip(-8, 7) / 8).astype(np.float32)
    d = (np.round(rng.normal(0, 0.3, (36, 5)) * 16).clip(-32, 31) / 16).astype(np.float32)
    h = b.node("Conv", [b.quant("x", 8, 4), b.quant(b.const(w), 4, 3)], pads=[0, 0, 0, 0],
               kernel_shape=[3, 3], strides=[1, 1], dilations=[1, 1], group=1)
    h = b.node("MaxPool", [b.quant(b.node("Relu", [h]), 8, 4, signed=0)], kernel_shape=[2, 2],
               strides=[2, 2], pads=[0, 0, 0, 0])
    h = b.quant(b.node("MatMul", [b.node("Flatten", [h]), b.quant(b.const(d), 6, 4)]), 12, 6)
    hf = f.node("Conv", ["x", f.const(w)], pads=[0, 0, 0, 0])
    hf = f.node("MaxPool", [f.node("Relu", [hf])], kernel_shape=[2, 2], strides=[2, 2])
    hf = f.node("MatMul", [f.node("Flatten", [hf]), f.const(d)])
    return b.build({"x": [1, 1, 8, 8]}, h), f.build({"x": ["N", 1, 8, 8]}, hf), (1, 8, 8)


def run_onnxruntime(model, x):
    try:
        import onnxruntime as ort
    except ImportError:
        return None, "onnxruntime not installed"
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    xf = x.astype(np.float32)
    return best_of(lambda: session.run(None, {"x": xf})[0])[0], None


def run_hls4ml(model, x, work):
    try:
        import hls4ml
        from qonnx.core.modelwrapper import ModelWrapper
        from qonnx.transformation.channels_last import ConvertToChannelsLastAndClean
        from qonnx.transformation.gemm_to_matmul import GemmToMatMul
        from qonnx.util.cleanup import cleanup_model
    except ImportError as exc:
        return None, None, f"not installed ({exc.name})"
    try:
        qm = cleanup_model(ModelWrapper(model))
        qm = cleanup_model(qm.transform(ConvertToChannelsLastAndClean()).transform(GemmToMatMul()))
        config = hls4ml.utils.config.config_from_onnx_model(qm, granularity="name", backend="Vitis",
                                                            default_precision="fixed<32,16>")
        hm = hls4ml.converters.convert_from_onnx_model(qm, output_dir=str(work), io_type="io_parallel",
                                                       backend="Vitis", hls_config=config)
        hm.compile()
    except Exception as exc:  # noqa: BLE001  (report the peer's failure, keep measuring)
        return None, None, f"conversion failed: {type(exc).__name__}: {str(exc)[:80]}"
    xin = x.astype(np.float32)
    if xin.ndim == 4:
        xin = np.ascontiguousarray(np.transpose(xin, (0, 2, 3, 1)))   # hls4ml is channels-last
    seconds, y = best_of(lambda: hm.predict(xin), repeat=1)
    return seconds, np.asarray(y, dtype=np.float64).reshape(len(x), -1), None


def main() -> int:
    rng = np.random.default_rng(0)
    print(f"{N:,} samples per model; ratios are hgq_hls samples/s over the peer's\n")
    print(f"{'model':<6} {'hgq_hls /s':>11} {'onnxruntime /s':>15} {'hh/ort':>8} "
          f"{'hls4ml csim /s':>15} {'hh/hls4ml':>10} {'hls4ml == hh':>14}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in [("mlp", mlp), ("cnn", cnn)]:
            qmodel, fmodel, shape = build(rng)
            x = rng.normal(0, 3, (N, *shape))
            g = hh.load_onnx(qmodel)
            t_hh, y_hh = best_of(lambda: hh.predict(g, x))
            t_ort, ort_note = run_onnxruntime(fmodel, x)
            t_h4, y_h4, h4_note = run_hls4ml(qmodel, x, Path(tmp) / name)
            same = "-" if y_h4 is None else f"{int((y_h4 == y_hh.reshape(N, -1)).all(axis=1).sum()):,}/{N:,}"
            cell = lambda t, note: f"{N / t:>15,.0f}" if t else f"{note:>15}"  # noqa: E731
            ratio = lambda t: f"{t / t_hh:>7.3g}x" if t else f"{'-':>8}"    # noqa: E731
            print(f"{name:<6} {N / t_hh:>11,.0f} {cell(t_ort, ort_note)} {ratio(t_ort)} "
                  f"{cell(t_h4, h4_note)} {ratio(t_h4):>10} {same:>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
