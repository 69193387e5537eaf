"""Per-element against per-tensor precision on the digits MLP: LUTs and EBOPs at equal accuracy.

    python benchmarks/per_element.py [--bits 4 5 6 7 8] [--yosys BITS]

Both designs of ``b`` bits put every weight and activation on the same grid (the per-tensor
design's: ``b`` bits with integer bits from the tensor's calibrated maximum).  The per-element
design then gives each element only the integer bits its own calibrated maximum needs and
prunes the elements calibration never sees non-zero (the blank border pixels of the digits, dead
ReLUs): the same values on the calibration data, narrower hardware.  Printed per ``b``: test
accuracy, the Verilog-mode and HLS-mode LUT estimates, EBOPs, and the ratios
per-element / per-tensor; with ``--yosys`` also yosys LUT counts of both designs at that ``b``.
Calibration: 256 training images; accuracy on the 360 held-out ones.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "examples" / "digits"))

import hgq_hls as hh  # noqa: E402
from hgq_hls.frontend.onnx.builder import QONNX_DOMAIN, ModelBuilder  # noqa: E402
from make_models import digits  # noqa: E402


def integer_bits(magnitude: np.ndarray) -> np.ndarray:
    """Integer bits (no sign) that hold ``magnitude``: 2**i > magnitude; 0 bits for 0."""
    m = np.asarray(magnitude, dtype=np.float64)
    return np.where(m > 0, np.floor(np.log2(np.maximum(m, 1e-30))) + 1, -64).astype(np.int64)


def quant(b, x, bits, frac, signed):
    bits, frac = np.broadcast_arrays(np.asarray(bits), np.asarray(frac))
    return b.node("Quant", [x, b.const((2.0 ** -frac.astype(np.float64)).astype(np.float32)),
                            b.const(np.float32(0)), b.const(bits.astype(np.float32))],
                  domain=QONNX_DOMAIN, signed=int(signed), narrow=0, rounding_mode="ROUND")


def layer_params():
    model = onnx.load(HERE.parent / "examples" / "digits" / "digits_mlp.onnx")
    init = {i.name: numpy_helper.to_array(i).astype(np.float64) for i in model.graph.initializer}
    return [(init[n.input[1]], init[n.input[2]]) for n in model.graph.node if n.op_type == "Gemm"]


def activations(params, x):
    """The float input and every hidden activation (after ReLU), batch first."""
    acts, h = [x], x
    for k, (w, bias) in enumerate(params):
        h = h @ w + bias
        if k < len(params) - 1:
            h = np.maximum(h, 0)
            acts.append(h)
    return acts, h


def design(params, calib, bits: int, per_element: bool) -> hh.Graph:
    """The digits MLP with ``bits``-bit types, per tensor or per element (same grids)."""
    acts, logits = activations(params, calib)
    b = ModelBuilder("digits_pe" if per_element else "digits_pt")

    def act_quant(x, values, signed):
        top = np.abs(values).max(axis=0)
        i_tensor = int(integer_bits(top.max()))
        frac = bits - i_tensor - int(signed)                   # the per-tensor grid
        if not per_element:
            return quant(b, x, bits, frac, signed)
        width = np.clip(integer_bits(top) + frac + int(signed), 0, bits)
        width = np.where(top > 0, np.maximum(width, 1 + int(signed)), 0)   # never seen non-zero: pruned
        return quant(b, x, width[None], np.full((1, top.size), frac), signed)

    def weight_quant(w):
        frac = bits - 1 - int(integer_bits(np.abs(w).max()))
        if not per_element:
            return quant(b, b.const(w.astype(np.float32)), bits, frac, True)
        q = np.round(w * 2.0 ** frac)                          # the per-tensor values, then own widths
        width = np.where(q != 0, np.ceil(np.log2(np.abs(q) + 1)).astype(np.int64) + 1, 0)
        width = np.where((q != 0) & (width < 2), 2, width)
        return quant(b, b.const(w.astype(np.float32)), np.minimum(width, bits), frac, True)

    h = act_quant("x", acts[0], signed=False)
    for k, (w, bias) in enumerate(params):
        bias_frac = 12 - 1 - int(integer_bits(np.abs(bias).max()))
        h = b.node("Gemm", [h, weight_quant(w), quant(b, b.const(bias.astype(np.float32)), 12, bias_frac, True)])
        if k < len(params) - 1:
            h = act_quant(b.node("Relu", [h]), acts[k + 1], signed=False)
    out = quant(b, h, bits + 4, bits + 4 - 1 - int(integer_bits(np.abs(logits).max())), True)
    return hh.load_onnx(b.build({"x": ["N", 64]}, out))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bits", type=int, nargs="+", default=[4, 5, 6, 7, 8])
    parser.add_argument("--yosys", type=int, default=None, metavar="BITS",
                        help="also synthesize both designs of BITS bits with yosys (minutes)")
    args = parser.parse_args(argv)
    x_train, _, x_test, y_test = digits()
    calib, params = x_train[:256], layer_params()
    _, float_logits = activations(params, x_test)
    print(f"digits MLP 64-32-16-10, float test accuracy {np.mean(float_logits.argmax(1) == y_test):.3f}")
    head = f"{'bits':>4} {'design':>11} {'acc':>6} {'LUT (rtl)':>10} {'LUT (hls)':>10} {'EBOPs':>8} {'pruned':>7}"
    print(head)
    print("-" * len(head))
    rows = {}
    for bits in args.bits:
        for per_element in (False, True):
            g = design(params, calib, bits, per_element)
            acc = float(np.mean(hh.predict(g, x_test).argmax(1) == y_test))
            rtl, hls = hh.estimate(g), hh.estimate(g, backend="hls")
            pruned = sum(int(types.pruned.sum()) for t in g.tensors.values()
                         for types in (t.element_types, t.entry_elements) if types is not None)
            rows[bits, per_element] = (g, acc, rtl.lut, hls.lut, rtl.ebops)
            print(f"{bits:>4} {'per-element' if per_element else 'per-tensor':>11} {acc:>6.3f} {rtl.lut:>10,} "
                  f"{hls.lut:>10,} {rtl.ebops:>8,} {pruned:>7}")
    print("\nratio per-element / per-tensor at the same bits (same grids):")
    for bits in args.bits:
        (_, a0, r0, h0, e0), (_, a1, r1, h1, e1) = rows[bits, False], rows[bits, True]
        print(f"  {bits} bits: LUT (rtl) {r1 / r0:.3f}, LUT (hls) {h1 / h0:.3f}, EBOPs {e1 / max(e0, 1):.3f}; "
              f"accuracy {a1:.3f} vs {a0:.3f}")
    best = {}
    for per_element in (False, True):
        for bits in args.bits:
            _, acc, lut, _, _ = rows[bits, per_element]
            best.setdefault(per_element, []).append((acc, lut, bits))
    print("\nat equal accuracy (cheapest per-tensor design at least as accurate as each per-element one):")
    for acc, lut, bits in best[True]:
        rivals = [(r_lut, r_bits) for r_acc, r_lut, r_bits in best[False] if r_acc >= acc]
        if rivals:
            r_lut, r_bits = min(rivals)
            print(f"  per-element {bits} bits (acc {acc:.3f}, {lut:,} LUT) vs per-tensor {r_bits} bits "
                  f"({r_lut:,} LUT): ratio {lut / r_lut:.3f}")
        else:
            print(f"  per-element {bits} bits (acc {acc:.3f}, {lut:,} LUT): no per-tensor design is as accurate")
    if args.yosys is not None:
        import tempfile

        print(f"\nyosys (synth_xilinx, module by module) at {args.yosys} bits:")
        counts = {}
        with tempfile.TemporaryDirectory() as tmp:
            for per_element in (False, True):
                g = rows[args.yosys, per_element][0]
                project = hh.write_verilog(g, Path(tmp) / ("pe" if per_element else "pt"))
                counts[per_element] = project.synthesize(progress=True).total("lut")
                print(f"  {'per-element' if per_element else 'per-tensor'}: {counts[per_element]:,} LUT "
                      f"(estimate {rows[args.yosys, per_element][2]:,})")
        print(f"  ratio per-element / per-tensor: {counts[True] / counts[False]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
