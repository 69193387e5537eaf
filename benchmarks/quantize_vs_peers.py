"""Throughput and exactness of hh.quantize against its peers, measured side by side.

Peers: the ``quantizers`` package (the NumPy fixed-point quantizer HGQ2 and hls4ml use) and
ap_fixed itself (g++ -O2, the real headers; the conversion loop is timed inside C++).
Prints, per type, each tool's time for 1M values, the ratio to hh.quantize, and how many
values differ from ap_fixed.  Run: ``python benchmarks/quantize_vs_peers.py``
(``pip install -e .[bench]`` for the quantizers package).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import hgq_hls as hh
from common import best_of
from hgq_hls.toolchain import ap_types_include, cxx_compiler

N = 1_000_000
TYPES = [
    hh.FixedType(True, 8, 3, "RND_CONV", "SAT"),
    hh.FixedType(True, 16, 6, "TRN", "WRAP"),
    hh.FixedType(False, 12, 4, "RND", "SAT_ZERO"),
    hh.FixedType(True, 24, 12, "RND_INF", "SAT_SYM"),
]

_CPP = r"""
#include <ap_fixed.h>
#include <chrono>
#include <cstdio>
#include <vector>
int main(int argc, char **argv) {
    std::FILE *f = std::fopen(argv[1], "rb");
    std::vector<double> x(%(n)d), y(%(n)d);
    if (std::fread(x.data(), sizeof(double), x.size(), f) != x.size()) return 1;
    std::fclose(f);
    auto t0 = std::chrono::steady_clock::now();
    for (size_t k = 0; k < x.size(); ++k) { %(ctype)s v = x[k]; y[k] = v.to_double(); }
    auto t1 = std::chrono::steady_clock::now();
    f = std::fopen(argv[2], "wb");
    std::fwrite(y.data(), sizeof(double), y.size(), f);
    std::fclose(f);
    std::printf("%%.6f\n", std::chrono::duration<double>(t1 - t0).count());
}
"""


def run_apfixed(x: np.ndarray, t: hh.FixedType, work: Path) -> tuple[float, np.ndarray]:
    """(seconds for the conversion loop, results) from a g++ -O2 build against ap_fixed."""
    src, exe = work / "bench.cpp", work / "bench"
    src.write_text(_CPP % dict(n=len(x), ctype=t.ctype()))
    subprocess.run([cxx_compiler(), "-O2", "-std=c++14", "-w", "-isystem",
                    str(ap_types_include()), str(src), "-o", str(exe)], check=True)
    (work / "x.bin").write_bytes(x.astype(np.float64).tobytes())
    out = subprocess.run([str(exe), str(work / "x.bin"), str(work / "y.bin")],
                         capture_output=True, text=True, check=True).stdout
    return float(out), np.frombuffer((work / "y.bin").read_bytes(), dtype=np.float64)


def run_quantizers(x: np.ndarray, t: hh.FixedType):
    """(seconds, results) of the quantizers package; None if not installed, or "unsupported"."""
    try:
        from quantizers import get_fixed_quantizer_np
    except ImportError:
        return None
    try:
        q = get_fixed_quantizer_np(t.rounding, t.overflow)
    except KeyError:
        return "unsupported"
    k, i, f = float(t.signed), float(t.integer - t.signed), float(t.frac)
    start = time.perf_counter()
    y = q(x, k, i, f)
    return time.perf_counter() - start, np.asarray(y, dtype=np.float64)


def main() -> int:
    rng = np.random.default_rng(0)
    print(f"{N:,} values per type (normal, 20% exact ties, 5% far out of range)\n")
    print(f"{'type':<38} {'hgq_hls s':>9} {'ap_fixed s':>10} {'quantizers s':>12} "
          f"{'hh/ap_fixed':>11} {'hh/quantizers':>13} {'quantizers != ap_fixed':>22}")
    with tempfile.TemporaryDirectory() as tmp:
        for t in TYPES:
            x = rng.normal(0, t.max / 2, N)
            ties = rng.random(N) < 0.2
            x[ties] = (np.round(x[ties] / t.lsb) + 0.5) * t.lsb
            far = rng.random(N) < 0.05
            x[far] *= 1000
            t_hh, y_hh = best_of(lambda: hh.quantize(x, t))
            t_ap, y_ap = run_apfixed(x, t, Path(tmp))
            assert np.array_equal(y_hh, y_ap), f"hgq_hls differs from ap_fixed for {t}"
            peer = run_quantizers(x, t)
            if peer is None or peer == "unsupported":
                q_cell, ratio_q, diff_q = peer or "not installed", "-", "-"
            else:
                t_q, y_q = peer
                q_cell, ratio_q = f"{t_q:.3f}", f"{t_hh / t_q:.2f}x"
                diff_q = f"{int((y_q != y_ap).sum()):,}"
            print(f"{t.ctype():<38} {t_hh:>9.3f} {t_ap:>10.3f} {q_cell:>12} "
                  f"{t_hh / t_ap:>10.2f}x {ratio_q:>13} {diff_q:>22}")
    print("\nratios are hgq_hls time / peer time (below 1: hgq_hls is faster); "
          "hgq_hls matched ap_fixed on every value")
    return 0


if __name__ == "__main__":
    sys.exit(main())
