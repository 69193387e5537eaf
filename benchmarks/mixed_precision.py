"""Mixed precision against uniform precision on the digits MLP and CNN, at matched LUT budgets.

For each model: uniform 2-8-bit designs (LUT by hh.estimate, SQNR against the float model on
the calibration data, test accuracy), then both search methods with the cost of the uniform
4-, 5- and 6-bit designs as the budget, with their search time (each from a cold estimate cache).  The ratio columns compare the
mixed design with the uniform design of the same budget.
Run: ``pip install -e .[examples]`` then ``python -m benchmarks.mixed_precision``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import hgq_hls as hh
from hgq_hls.estimate import verilog_cost
from hgq_hls.precision.groups import calibrate, typed_graph

EXAMPLE = Path(__file__).parents[1] / "examples" / "digits"
sys.path.insert(0, str(EXAMPLE))
from make_models import digits  # noqa: E402

BITS = range(2, 9)


def accuracy(g, x, y) -> float:
    return float((hh.predict(g, x).argmax(axis=1) == y).mean())


def main() -> int:
    x_train, _, x_test, y_test = digits()
    calib = x_train[:256]
    for kind in ("mlp", "cnn"):
        g = hh.load_onnx(EXAMPLE / f"digits_{kind}.onnx")
        ranges = calibrate(g, calib)
        print(f"\n== digits {kind.upper()}: float test accuracy {100 * accuracy(g, x_test, y_test):.1f}% ==")
        _, report = hh.auto_precision(g, calib, bits=BITS, budget={"lut": 1e12})
        print(f"{'design':<28} {'LUT':>7} {'SQNR dB':>8} {'accuracy':>9} {'search s':>9}")
        uniform = {}
        for b, p in sorted(report.uniform.items()):
            acc = accuracy(typed_graph(g, p.config, ranges), x_test, y_test)
            uniform[b] = (p, acc)
            print(f"{'uniform ' + str(b) + ' bits':<28} {p.cost['lut']:>7} {p.score:>8.2f} {100 * acc:>8.1f}%")
        for b in (4, 5, 6):
            budget = uniform[b][0].cost["lut"]
            for method in ("pareto", "first-order"):
                verilog_cost.clear_cache()             # time each search cold
                start = time.perf_counter()
                typed, r = hh.auto_precision(g, calib, bits=BITS, budget={"lut": budget}, method=method)
                seconds = time.perf_counter() - start
                acc = accuracy(typed, x_test, y_test)
                print(f"{method + f' @ uniform-{b} LUT':<28} {r.cost['lut']:>7} {r.score:>8.2f} {100 * acc:>8.1f}% "
                      f"{seconds:>9.1f}   (vs uniform {b}: {r.score - uniform[b][0].score:+.2f} dB, "
                      f"{100 * (acc - uniform[b][1]):+.1f} points)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
