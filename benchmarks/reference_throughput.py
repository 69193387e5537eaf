"""Samples/s of hh.predict (bit-exact reference) against peers, run side by side.

Models: a 16-64-32-32-5 QONNX MLP and a small QONNX CNN (mixed per-tensor widths); then
FINN-shaped ones: a TFC MLP (784-64-64-64-10, 59k parameters) and a CNV-style CNN (10.8k
parameters, ~1M multiply-accumulates per sample).
Peers: onnxruntime on the float version of the same network (same weight values; the first two),
and hls4ml's C-simulation predict (``HLSModel.predict``) of the same QONNX model.  Prints
samples/s and the ratio hgq_hls / peer, plus how many hls4ml outputs equal hh.predict; then
hh.predict's multiply-accumulates per second, TFC against CNV (the issue's bound: a CNN within
3x of an MLP's rate per multiply-accumulate).
Run: ``pip install -e .[bench]`` then ``python benchmarks/reference_throughput.py``.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from pathlib import Path

import numpy as np
import hgq_hls as hh
import hls4ml_peer
from common import best_of
from models import cnn, cnv, mlp, tfc

N = 10_000


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
        with contextlib.redirect_stdout(io.StringIO()):      # hls4ml prints its whole topology
            hm = hls4ml_peer.convert(model, work)
            hm.compile()
    except ImportError as exc:
        return None, None, f"not installed ({exc.name})"
    except Exception as exc:  # noqa: BLE001  (report the peer's failure, keep measuring)
        return None, None, f"conversion failed: {type(exc).__name__}: {str(exc)[:80]}"
    seconds, y = best_of(lambda: hm.predict(hls4ml_peer.inputs(x)), repeat=1)
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
        print(f"\n{'model':<6} {'samples':>8} {'hgq_hls /s':>11} {'MMAC/s':>8} {'hls4ml csim /s':>15} "
              f"{'hh/hls4ml':>10} {'hls4ml == hh':>14}")
        rates = {}
        for name, build, n, macs in [("tfc", tfc, N, 784 * 64 + 2 * 64 * 64 + 64 * 10),
                                     ("cnv", cnv, 1_000, CNV_MACS)]:
            qmodel, shape = build(rng)
            x = rng.uniform(-1, 1, (n, *shape))
            g = hh.load_onnx(qmodel)
            t_hh, y_hh = best_of(lambda: hh.predict(g, x))
            t_h4, y_h4, h4_note = run_hls4ml(qmodel, x, Path(tmp) / name)
            same = "-" if y_h4 is None else f"{int((y_h4 == y_hh.reshape(n, -1)).all(axis=1).sum()):,}/{n:,}"
            rates[name] = n * macs / t_hh
            h4 = f"{n / t_h4:>15,.0f}" if t_h4 else f"{h4_note:>15}"
            print(f"{name:<6} {n:>8,} {n / t_hh:>11,.0f} {rates[name] / 1e6:>8.0f} {h4} "
                  f"{(f'{t_h4 / t_hh:.3g}x' if t_h4 else '-'):>10} {same:>14}")
        print(f"\nper multiply-accumulate, the TFC MLP runs {rates['tfc'] / rates['cnv']:.2f}x the CNV CNN's rate")
    return 0


#: multiply-accumulates of one CNV sample (models.cnv: four 3x3 convolutions, two dense layers)
CNV_MACS = 30 * 30 * 27 * 8 + 28 * 28 * 72 * 8 + 12 * 12 * 72 * 16 + 10 * 10 * 144 * 16 + 400 * 16 + 16 * 10


if __name__ == "__main__":
    sys.exit(main())
