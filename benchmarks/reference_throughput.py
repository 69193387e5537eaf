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
import hls4ml_peer
from common import best_of
from models import cnn, mlp

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
