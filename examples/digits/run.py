"""Digits, end to end: float ONNX -> automatic mixed precision at a LUT budget -> estimate ->
Vitis HLS and Verilog -> bit-exact verification, with test accuracy of float, mixed and uniform.

    python examples/digits/run.py [--method pareto|first-order] [--no-firmware]

Uses the committed float models (``make_models.py`` trains them) and 256 training images as
calibration data; accuracy is measured on the 360 held-out images.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


import hgq_hls as hh

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from make_models import digits  # noqa: E402

#: LUT budgets between the uniform 5- and 6-bit designs of each model
BUDGETS = {"mlp": 15_000, "cnn": 20_000}


def accuracy(g, x, y) -> float:
    return float((hh.predict(g, x).argmax(axis=1) == y).mean())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", choices=["pareto", "first-order"], default="pareto")
    parser.add_argument("--no-firmware", action="store_true", help="skip writing and simulating firmware")
    parser.add_argument("--out", default="digits_out", help="folder for the typed models and projects")
    args = parser.parse_args(argv)
    x_train, _, x_test, y_test = digits()
    calib = x_train[:256]
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    ok = True
    for kind, budget in BUDGETS.items():
        print(f"\n== digits {kind.upper()}: LUT budget {budget} ({args.method}) ==")
        g = hh.load_onnx(HERE / f"digits_{kind}.onnx")
        typed, report = hh.auto_precision(g, calib, bits=range(2, 9), budget={"lut": budget},
                                          method=args.method, progress=True)
        print(report.table())
        report.plot(out / f"{kind}_pareto.png")
        best = report.best_uniform()
        from hgq_hls.precision.groups import calibrate, typed_graph

        uniform = typed_graph(g, best.config, calibrate(g, calib))
        print(f"test accuracy: float {100 * accuracy(g, x_test, y_test):.1f}%, "
              f"mixed {100 * accuracy(typed, x_test, y_test):.1f}% ({report.cost['lut']} LUT), "
              f"{best.label} {100 * accuracy(uniform, x_test, y_test):.1f}% ({best.cost['lut']} LUT)")
        hh.save_qonnx(typed, out / f"digits_{kind}_mixed.onnx", overwrite=True)   # this script's own output
        print(hh.estimate(typed).table())
        if args.no_firmware:
            continue
        hls = hh.write_hls(typed, out / f"hls_{kind}", force=True)
        hls.compile(progress=True)
        verdict = hls.verify(x=x_test)
        print(f"Vitis HLS C-simulation vs hh.predict on the test images: {verdict}")
        rtl = hh.write_verilog(typed, out / f"rtl_{kind}", force=True)
        rtl_verdict = rtl.verify(x=x_test, progress=True)
        print(f"Verilog (Verilator) vs hh.predict on the test images: {rtl_verdict}")
        ok = ok and verdict.ok and rtl_verdict.ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
