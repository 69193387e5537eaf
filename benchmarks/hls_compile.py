"""HLS flow, side by side: convert, C-simulation compile and predict of 10k samples.

For the 16-64-32-32-5 QONNX MLP and a small QONNX CNN (benchmarks/models.py), times each
step for hgq_hls (``load_onnx`` + ``write_hls``, ``compile``, ``predict``) and for hls4ml
1.3 on the same model (qonnx clean-up + convert + ``write``, ``_compile``, ``predict``), in
the same run, and prints the ratio hls4ml time / hgq_hls time (> 1: hgq_hls is faster).
hgq_hls compiles into an empty cache (a cold build); the warm (cached) rebuild is shown too.
Agreement: C-simulation of both tools against hh.predict, on random normal inputs and on
hgq_hls's stimulus (values on the input grid, exact ties, out-of-range values).  hls4ml's
predict takes float32, so its reference is hh.predict of the same float32 values.
Run: ``pip install -e .[bench]`` then ``python benchmarks/hls_compile.py``.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import hgq_hls as hh
import hls4ml_peer
from hgq_hls.verification import stimulus
from models import cnn, cnv, mlp, tfc

N = 10_000


def timed(fn):
    """(wall seconds, result) of one call."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def equal_samples(y, ref) -> str:
    same = (np.asarray(y).reshape(len(ref), -1) == ref.reshape(len(ref), -1)).all(axis=1)
    return f"{int(same.sum()):,}/{len(ref):,}"


def run_hgq(qmodel, x, work: Path, io: str) -> dict:
    os.environ["HGQ_HLS_CACHE"] = str(work / "cache")           # a cold compile
    t_convert, p = timed(lambda: hh.write_hls(hh.load_onnx(qmodel), work / "hgq", io=io))
    t_compile, _ = timed(p.compile)
    t_warm, _ = timed(lambda: hh.HLSProject.open(p.path).compile())
    t_predict, y = timed(lambda: p.predict(x))
    return dict(convert=t_convert, compile=t_compile, predict=t_predict, warm=t_warm, project=p, y=y)


def run_hls4ml(qmodel, x, work: Path, io_mode: str) -> dict:
    try:
        with contextlib.redirect_stdout(io.StringIO()):          # hls4ml prints its whole topology
            t_convert, hm = timed(lambda: hls4ml_peer.convert(qmodel, work / "hls4ml", io_mode))
            t_write, _ = timed(hm.write)
            t_compile, _ = timed(hm._compile)       # hm.compile() = write() + _compile()
    except ImportError as exc:
        return dict(error=f"hls4ml not installed ({exc.name}): pip install -e .[bench]")
    except Exception as exc:  # noqa: BLE001  (report the peer's failure, keep measuring)
        return dict(error=f"hls4ml failed: {type(exc).__name__}: {str(exc)[:100]}")
    t_predict, y = timed(lambda: hm.predict(hls4ml_peer.inputs(x)))
    return dict(convert=t_convert + t_write, compile=t_compile, predict=t_predict, model=hm, y=y)


def cases():
    """(name, QONNX model, sample shape, samples to predict, io, seed): the two small models, then
    the FINN-shaped TFC MLP (59k parameters) and CNV-style CNN (~1M multiply-accumulates a sample);
    the CNNs also with io_stream on both sides.  Each model has its own seed, so a run of chosen
    rows measures the same models and inputs as a full run."""
    for seed, (name, build, n) in enumerate([("mlp", mlp, N), ("cnn", cnn, N), ("tfc", tfc, N), ("cnv", cnv, 1_000)]):
        built = build(np.random.default_rng(seed))
        qmodel, shape = built[0], built[-1]
        yield name, qmodel, shape, n, "parallel", seed
        if name in ("cnn", "cnv"):
            yield f"{name}/s", qmodel, shape, n, "stream", seed


def main() -> int:
    print(f"convert / C-sim compile / predict {N:,} samples (cnv: 1,000); ratio = hls4ml time / hgq_hls time; "
          "/s: io_stream on both sides\n")
    print(f"{'model':<5} {'step':<10} {'hgq_hls s':>10} {'hls4ml s':>10} {'ratio':>8}")
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        only = set(sys.argv[1:])              # e.g. `cnv cnv/s`: just those rows
        for name, qmodel, shape, n, io_mode, seed in cases():
            if only and name not in only:
                continue
            x = np.random.default_rng(100 + seed).normal(0, 3, (n, *shape))
            work = Path(tmp) / name.replace("/", "_")
            hgq = run_hgq(qmodel, x, work, io_mode)
            peer = run_hls4ml(qmodel, x, work, io_mode)
            for step in ["convert", "compile", "predict"]:
                theirs = peer.get(step)
                ratio = f"{theirs / hgq[step]:>7.3g}x" if theirs else f"{'-':>8}"
                cell = f"{theirs:>10.3f}" if theirs else f"{'-':>10}"
                print(f"{name:<5} {step:<10} {hgq[step]:>10.3f} {cell} {ratio}")
            print(f"{name:<5} {'(cached)':<10} {hgq['warm']:>10.3f}   (hgq_hls rebuild of an unchanged project)")
            g = hgq["project"].graph
            ref = hh.predict(g, x)
            notes.append(f"{name}: hgq_hls C-sim == hh.predict on {equal_samples(hgq['y'], ref)} random samples")
            if "error" in peer:
                notes.append(f"{name}: {peer['error']}")
                continue
            stim = stimulus(g, n, seed=1)[0]
            y_stim = np.asarray(peer["model"].predict(hls4ml_peer.inputs(stim)), dtype=np.float64)
            as32 = lambda a: a.astype(np.float32).astype(np.float64)  # noqa: E731  (what hls4ml was given)
            notes.append(f"{name}: hls4ml C-sim == hh.predict on {equal_samples(peer['y'], hh.predict(g, as32(x)))} "
                         f"random normal samples, {equal_samples(y_stim, hh.predict(g, as32(stim)))} stimulus samples")
    print("\n" + "\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
