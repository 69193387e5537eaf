"""The HLS-mode estimate beside published hls4ml/HGQ synthesis figures for the same architectures.

No Vitis HLS runs here, so ``hh.estimate(backend="hls")`` is a model; this script puts it next
to numbers others measured (``shared/reference/hgq.md`` section 0.3, ``hls4ml.md`` section 7):

* HGQ paper (arXiv:2405.00645 v2) Table I, jet tagger 16-64-32-32-5 on xcvu9p at 200 MHz,
  io_parallel, Vivado HLS, percentages of the device: BF (ap_fixed<16,6> everywhere) 9 cycles,
  56.0% DSP, 4.09% LUT; Q6 (QKeras 6-bit weights and activations) 11 cycles, 1.8% DSP, 3.36% LUT.
  The paper's weights are trained (and BF keeps all 4,389 parameters); ours are random with
  the same shapes and grids, so only orders of magnitude are comparable.
* hls4ml's Vitis 2024.1 test baseline: Dense 1->2 + ELU, ap_fixed<16,6>, xcvu13p: 3 cycles,
  354 LUT, 145 FF, 2 DSP, 1 BRAM18.  hgq_hls has no ELU; a Sigmoid with the same 1,024-entry
  table stands in for it.
Run: ``python -m benchmarks.estimator_vs_published``.
"""

from __future__ import annotations

import numpy as np

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder

VU9P_LUT, VU9P_DSP = 1_182_240, 6_840
F16_6 = hh.FixedType(True, 16, 6, "TRN", "WRAP")


def jet_mlp(weight_bits: int | None) -> hh.Graph:
    """16-64-32-32-5 MLP: float weights typed ap_fixed<16,6>, or QKeras-style n-bit quantizers."""
    rng = np.random.default_rng(0)
    b = ModelBuilder("jet")
    sizes = [16, 64, 32, 32, 5]
    h = "x" if weight_bits is None else b.quant("x", 16, 10)
    for k in range(4):
        w = rng.normal(0, 0.4, (sizes[k], sizes[k + 1])).astype(np.float32)
        wq = b.const(w) if weight_bits is None else b.quant(b.const(w), weight_bits, weight_bits - 1)
        h = b.node("MatMul", [h, wq])
        if k < 3:
            h = b.node("Relu", [h])
            if weight_bits is not None:
                h = b.quant(h, weight_bits, weight_bits, signed=0)        # quantized_relu(6, 0)
    if weight_bits is not None:
        h = b.quant(h, 16, 10)
    model = b.build({"x": [1, 16]}, h)
    if weight_bits is None:
        return hh.load_onnx(model, input_type=F16_6, default_type=F16_6)
    return hh.load_onnx(model)


def dense_elu_baseline() -> hh.Graph:
    b = ModelBuilder("dense_1_2")
    y = b.node("Sigmoid", [b.node("MatMul", ["x", b.const(np.array([[0.7, -1.3]], dtype=np.float32))])])
    return hh.load_onnx(b.build({"x": [1, 1]}, y), input_type=F16_6, default_type=F16_6)


def main() -> int:
    print(f"{'design':<34} {'source':<22} {'LUT':>8} {'FF':>7} {'DSP':>6} {'BRAM18':>6} {'cycles':>6}")
    rows = [
        ("jet MLP, ap_fixed<16,6> (BF)", jet_mlp(None), dict(lut=0.0409 * VU9P_LUT, dsp=0.56 * VU9P_DSP, cycles=9)),
        ("jet MLP, 6-bit QKeras (Q6)", jet_mlp(6), dict(lut=0.0336 * VU9P_LUT, dsp=0.018 * VU9P_DSP, cycles=11)),
        ("Dense 1->2 + table, <16,6>", dense_elu_baseline(), dict(lut=354, ff=145, dsp=2, bram18=1, cycles=3)),
    ]
    for label, g, published in rows:
        r = hh.estimate(g, backend="hls", clock_ns=5.0)
        print(f"{label:<34} {'hh.estimate(hls)':<22} {r.lut:>8} {r.ff:>7} {r.dsp:>6} {2 * r.bram:>6g} "
              f"{r.latency_cycles:>6}")
        fmt = lambda k: f"{published[k]:.0f}" if k in published else "-"  # noqa: E731
        print(f"{'':<34} {'published':<22} {fmt('lut'):>8} {fmt('ff'):>7} {fmt('dsp'):>6} {fmt('bram18'):>6} "
              f"{fmt('cycles'):>6}")
        ratio = lambda k, mine: f"{mine / published[k]:.2f}" if published.get(k) else "-"  # noqa: E731
        print(f"{'':<34} {'estimate / published':<22} {ratio('lut', r.lut):>8} {ratio('ff', r.ff):>7} "
              f"{ratio('dsp', r.dsp):>6} {ratio('bram18', 2 * r.bram):>6} {ratio('cycles', r.latency_cycles):>6}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
