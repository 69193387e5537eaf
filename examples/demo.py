"""`make demo`: load a small ONNX model and give every tensor an exact fixed-point type.

Inputs and weights get declared types; every accumulator is sized by interval arithmetic on
the actual weight values, so nothing overflows or loses a bit.  The demo then runs 10,000
random inputs through an integer-only forward pass and checks that every accumulator value
fits its sized type and that the integers equal the float model evaluated on the quantized
values.  (Later releases run this through the importer, estimator and firmware backends.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, str(Path(__file__).parent / "tiny_mlp"))

import hgq_hls as hh  # noqa: E402
from hgq_hls.fixed import Interval, cast, from_mantissa, to_mantissa  # noqa: E402
from make_model import make_model  # noqa: E402

INPUT_TYPE = hh.FixedType(True, 8, 3, "RND_CONV", "SAT")      # the input quantizer
WEIGHT_TYPE = hh.FixedType(True, 7, 2, "RND_CONV", "SAT")     # per-tensor weight precision
RELU_TYPE = hh.FixedType(False, 8, 3, "RND_CONV", "SAT")      # declared activation quantizer


def main() -> int:
    out_dir = Path("demo_out")
    out_dir.mkdir(exist_ok=True)
    path = out_dir / "tiny_mlp.onnx"
    onnx.save(make_model(), path)
    model = onnx.load(path)
    init = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
    print(f"loaded {path}: {[n.op_type for n in model.graph.node]}")

    # constants as exact mantissas of their declared types
    w1, w2 = (to_mantissa(init[k], WEIGHT_TYPE) for k in ("w1", "w2"))
    b1, b2 = (to_mantissa(init[k], WEIGHT_TYPE) for k in ("b1", "b2"))
    wf = WEIGHT_TYPE.frac

    # interval sizing on the actual weight values
    x_iv = Interval.from_type(INPUT_TYPE, (4,))
    acc1_iv = x_iv @ Interval.exact(w1, wf) + Interval.exact(b1, wf)
    relu_iv = Interval.from_type(RELU_TYPE, (8,))
    acc2_iv = relu_iv @ Interval.exact(w2, wf) + Interval.exact(b2, wf)
    ranges = {
        "x": Interval.from_type(INPUT_TYPE), "w1": Interval.exact(w1, wf),
        "dense1 (acc)": acc1_iv, "relu1": relu_iv, "w2": Interval.exact(w2, wf),
        "y = dense2 (acc)": acc2_iv,
    }
    types = {"x": INPUT_TYPE, "w1": WEIGHT_TYPE, "dense1 (acc)": acc1_iv.fixed_type(),
             "relu1": RELU_TYPE, "w2": WEIGHT_TYPE, "y = dense2 (acc)": acc2_iv.fixed_type()}
    print(f"\n{'tensor':<18} {'type':<36} {'values from':>12} {'to':>10}")
    for name, t in types.items():
        hull = ranges[name].hull()
        print(f"{name:<18} {t.ctype():<36} {float(hull.min):>12g} {float(hull.max):>10g}")

    # integer-only forward pass over a batch, including out-of-range inputs
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1.5, (10_000, 4))   # a few samples beyond the input range
    xm = to_mantissa(x, INPUT_TYPE)
    acc1 = xm @ w1 + (b1 << INPUT_TYPE.frac)                  # frac = fx + fw
    acc1_frac = INPUT_TYPE.frac + wf
    relu = cast(np.maximum(acc1, 0), acc1_frac, RELU_TYPE)
    acc2 = relu @ w2 + (b2 << RELU_TYPE.frac)
    acc2_frac = RELU_TYPE.frac + wf

    ok = True
    for label, acc, frac, t in [("dense1", acc1, acc1_frac, types["dense1 (acc)"]),
                                ("dense2", acc2, acc2_frac, types["y = dense2 (acc)"])]:
        exact = np.array_equal(cast(acc, frac, t.replace(overflow="WRAP")) << (frac - t.frac), acc)
        print(f"{label}: {acc.size} accumulator values fit {t} exactly: {exact}")
        ok &= exact

    # the same network in float64 on the quantized values must give the same numbers
    xq = from_mantissa(xm, INPUT_TYPE.frac)
    h = np.maximum(xq @ from_mantissa(w1, wf) + from_mantissa(b1, wf), 0)
    hq = hh.quantize(h, RELU_TYPE)
    y_float = hq @ from_mantissa(w2, wf) + from_mantissa(b2, wf)
    y_fixed = from_mantissa(acc2, acc2_frac)
    same = np.array_equal(y_fixed, y_float)
    print(f"integer forward == float64 forward on quantized values: {same}")
    y_ref = np.maximum(x @ init["w1"] + init["b1"], 0) @ init["w2"] + init["b2"]
    err = np.abs(y_fixed - y_ref)
    print(f"|fixed-point - float model| over {len(x)} samples: mean {err.mean():.4f}, "
          f"max {err.max():.4f} (inputs beyond +-4 saturate)")
    return 0 if ok and same else 1


if __name__ == "__main__":
    sys.exit(main())
