"""Write the demo's models: a small float MLP and its QONNX twin with mixed per-tensor widths.

Deterministic (fixed seed), generated in memory: nothing is downloaded.
Run ``python make_model.py OUT_DIR`` to write both .onnx files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx

from hgq_hls.frontend.onnx.builder import ModelBuilder


def _weights(seed: int):
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 0.6, (4, 8)), rng.normal(0, 0.2, 8),
            rng.normal(0, 0.5, (8, 3)), rng.normal(0, 0.2, 3)]


def make_model(seed: int = 0) -> onnx.ModelProto:
    """A float 4 -> 8 -> 3 MLP: Gemm, Relu, Gemm."""
    w1, b1, w2, b2 = (w.astype(np.float32) for w in _weights(seed))
    b = ModelBuilder("tiny_mlp")
    h = b.node("Relu", [b.node("Gemm", ["x", b.const(w1, "w1"), b.const(b1, "b1")])])
    y = b.node("Gemm", [h, b.const(w2, "w2"), b.const(b2, "b2")])
    return b.build({"x": ["N", 4]}, y)


def make_qonnx_model(seed: int = 0) -> onnx.ModelProto:
    """The same MLP quantized QONNX-style: every tensor its own width and rounding mode."""
    w1, b1, w2, b2 = (w.astype(np.float32) for w in _weights(seed))
    b = ModelBuilder("tiny_mlp_qonnx")
    x = b.quant("x", 8, 5, mode="ROUND")                                   # ap_fixed<8,3>
    h = b.node("Gemm", [x, b.quant(b.const(w1, "w1"), 5, 3, narrow=1),   # 5-bit weights
                        b.quant(b.const(b1, "b1"), 8, 6)])
    h = b.quant(b.node("Relu", [h]), 6, 3, signed=0, mode="FLOOR")        # ap_ufixed<6,3>
    y = b.node("Gemm", [h, b.quant(b.const(w2, "w2"), 4, 3),             # 4-bit weights
                        b.quant(b.const(b2, "b2"), 8, 6)])
    y = b.quant(y, 10, 5, mode="HALF_UP")                                  # ap_fixed<10,5>
    return b.build({"x": ["N", 4]}, y)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    onnx.save(make_model(), out / "tiny_mlp.onnx")
    onnx.save(make_qonnx_model(), out / "tiny_mlp_qonnx.onnx")
    print(f"wrote {out / 'tiny_mlp.onnx'} and {out / 'tiny_mlp_qonnx.onnx'}")
