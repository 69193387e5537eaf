"""Estimate time against parameter count, both modes, beside da4ml on the same networks.

Dense MLPs of 1k ... 200k parameters (6-bit weights, 8-bit activations, ``models.dense_mlp``):
``hh.estimate(backend="verilog")`` from cold (netlist and cost caches cleared; the import is
not timed), then again warm (every layer cached: what a precision search sees), and
``backend="hls"``.  Peer: da4ml 0.6 traces the same network (same weights, 8-bit inputs,
ReLU + requantization) through its CMVM solver and reports its own LUT estimate; its time is
``comb_trace`` (solve included).  Ratios are hgq_hls / da4ml (< 1: faster).  With
``--yosys N``, networks up to N parameters are also synthesized part by part with yosys
(``hgq-hls synth``'s flow) and the Verilog estimate's error against it is printed.
Run: ``pip install -e .[bench]`` then ``python benchmarks/estimate_scaling.py
[--sizes 16-64-32-32-5,...] [--da4ml-max 60000] [--yosys 5000]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))
import hgq_hls as hh  # noqa: E402
from hgq_hls.estimate.verilog_cost import clear_cache  # noqa: E402
from models import dense_mlp  # noqa: E402

SIZES = ["16-32-32-5", "16-64-32-32-5", "64-128-64-10", "128-128-128-10", "128-256-256-10",
         "256-384-256-10"]


def params(sizes):
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def ours(model):
    g = hh.load_onnx(model)
    clear_cache()
    start = time.perf_counter()
    cold = hh.estimate(g, backend="verilog")
    t_cold = time.perf_counter() - start
    start = time.perf_counter()
    hh.estimate(g, backend="verilog")
    t_warm = time.perf_counter() - start
    start = time.perf_counter()
    hls = hh.estimate(g, backend="hls")
    t_hls = time.perf_counter() - start
    return g, cold.lut, t_cold, t_warm, hls.lut, t_hls


def da4ml_estimate(sizes, weights, biases):
    """(seconds, da4ml's LUT estimate) or (None, reason)."""
    try:
        from da4ml.trace import FixedVariableArrayInput, comb_trace
        from da4ml.trace.ops import quantize, relu
    except ImportError:
        return None, "da4ml not installed"
    start = time.perf_counter()
    inp = FixedVariableArrayInput((sizes[0],))
    h = quantize(inp, 1, 3, 4, round_mode="RND")
    for k, (w, b) in enumerate(zip(weights, biases)):
        h = h @ w + b
        h = quantize(relu(h), 0, 4, 4, round_mode="RND") if k < len(weights) - 1 else quantize(h, 1, 5, 6, round_mode="RND")
    comb = comb_trace(inp, h)
    return time.perf_counter() - start, int(round(float(comb.cost)))


def yosys_luts(g) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        return hh.write_verilog(g, Path(tmp) / "rtl").synthesize().lut


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=",".join(SIZES))
    ap.add_argument("--da4ml-max", type=int, default=60_000, help="largest network da4ml is run on")
    ap.add_argument("--yosys", type=int, default=0, help="synthesize networks up to this many parameters")
    args = ap.parse_args()
    print("hh.estimate on dense MLPs (6-bit weights, 8-bit activations); da4ml 0.6 comb_trace + its cost\n")
    print(f"{'network':<16} {'params':>7} {'verilog s':>10} {'warm s':>8} {'hls s':>7} {'verilog LUT':>12} "
          f"{'hls LUT':>9} {'da4ml s':>8} {'da4ml LUT':>10} {'time ratio':>11} {'LUT ratio':>10} {'yosys LUT':>10} {'error':>7}")
    for spec in args.sizes.split(","):
        sizes = [int(v) for v in spec.split("-")]
        model, weights, biases = dense_mlp(sizes)
        g, lut, t_cold, t_warm, hls_lut, t_hls = ours(model)
        n = params(sizes)
        t_da, da = da4ml_estimate(sizes, weights, biases) if n <= args.da4ml_max else (None, "-")
        da_cells = (f"{t_da:>8.2f} {da:>10} {t_cold / t_da:>10.3f}x {lut / da:>9.2f}x" if t_da is not None
                    else f"{'-':>8} {da!s:>10} {'-':>11} {'-':>10}")
        if n <= args.yosys:
            y = yosys_luts(g)
            y_cells = f"{y:>10} {100 * (lut - y) / y:>+6.1f}%"
        else:
            y_cells = f"{'-':>10} {'-':>7}"
        print(f"{spec:<16} {n:>7} {t_cold:>10.2f} {t_warm:>8.3f} {t_hls:>7.3f} {lut:>12.0f} {hls_lut:>9.0f} "
              f"{da_cells} {y_cells}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
