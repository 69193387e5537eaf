"""`make demo`: import two small models, check the reference, convert both to Vitis HLS
projects and verify the firmware bit for bit by C-simulation.

1. A float MLP, typed with a default precision (like hls4ml's default precision): every
   weight, bias, input and layer output gets a declared type; accumulators are sized exactly.
2. The same MLP in QONNX with mixed per-tensor widths: its quantizers declare the types.
   hh.predict must equal qonnx's own executor bit for bit on 10,000 samples, ties included.
3. Both graphs -> hh.write_hls -> g++ C-simulation of the generated C++ (ap_fixed headers),
   compared with hh.predict on 10,000 samples including out-of-range inputs and exact ties.
4. hh.estimate: LUT/FF/DSP/latency/EBOPs per layer of the QONNX graph, in milliseconds.
5. The QONNX graph -> hh.write_verilog -> Verilator (cocotb) simulation at one sample per
   clock, compared with hh.predict.  `hgq-hls synth demo_out/rtl_tiny_mlp_qonnx` counts LUTs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx

import hgq_hls as hh

sys.path.insert(0, str(Path(__file__).parent / "tiny_mlp"))
from make_model import make_model, make_qonnx_model  # noqa: E402

N = 10_000


def qonnx_reference(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    """Outputs of qonnx's own executor (the independent oracle for QONNX semantics)."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes

    wrapped = ModelWrapper(model)
    wrapped.set_tensor_shape("x", list(x.shape))
    wrapped = wrapped.transform(InferShapes())
    out = execute_onnx(wrapped, {"x": x.astype(np.float32)})
    return out[wrapped.graph.output[0].name].astype(np.float64)


def main() -> int:
    out = Path("demo_out")
    out.mkdir(exist_ok=True)
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1.5, (N, 4))
    x[: N // 4] = (np.floor(x[: N // 4] * 32) + 0.5) / 32      # a quarter are exact ties

    print("== 1. float model + default precision ==")
    onnx.save(make_model(), out / "tiny_mlp.onnx")
    g = hh.load_onnx(out / "tiny_mlp.onnx",
                     input_type=hh.FixedType(True, 8, 3, "RND_CONV", "SAT"),
                     default_type=hh.FixedType(True, 12, 4, "RND_CONV", "SAT"))
    print(g)
    y_fixed = hh.predict(g, x)
    y_float = hh.predict(hh.load_onnx(out / "tiny_mlp.onnx"), x)   # untyped: float64
    err = np.abs(y_fixed - y_float)
    print(f"fixed point vs float over {N} samples: mean |error| {err.mean():.4f}, "
          f"max {err.max():.4f} (inputs beyond +-4 saturate)\n")

    print("== 2. QONNX model with mixed per-tensor widths ==")
    qmodel = make_qonnx_model()
    onnx.save(qmodel, out / "tiny_mlp_qonnx.onnx")
    gq = hh.load_onnx(out / "tiny_mlp_qonnx.onnx")
    print(gq)
    y = hh.predict(gq, x)
    expected = qonnx_reference(qmodel, x)
    equal = int((y == expected).all(axis=1).sum())
    print(f"hh.predict == qonnx executor: {equal}/{N} samples bit-exact\n")

    print("== 3. Vitis HLS projects, verified by C-simulation ==")
    all_ok = equal == N
    for graph, folder in [(g, "hls_tiny_mlp"), (gq, "hls_tiny_mlp_qonnx")]:
        project = hh.write_hls(graph, out / folder)
        project.compile(progress=True)
        report = project.verify(n=N)
        print(f"{project.path.relative_to(Path.cwd())}: C-simulation vs hh.predict: {report}")
        all_ok = all_ok and report.ok

    print("\n== 4. Resource and latency estimate (no synthesis) ==")
    estimate = hh.estimate(gq)
    print(estimate.table())
    hls_estimate = hh.estimate(gq, backend="hls")
    print(f"as Vitis HLS (modelled): {hls_estimate.lut} LUT, {hls_estimate.ff} FF, {hls_estimate.dsp} DSP, "
          f"{hls_estimate.latency_cycles} cycles at 5 ns")

    print("\n== 5. Verilog, verified by Verilator simulation ==")
    rtl = hh.write_verilog(gq, out / "rtl_tiny_mlp_qonnx")
    report = rtl.verify(n=N, progress=True)
    print(f"{rtl.path.relative_to(Path.cwd())}: latency {rtl.latency} cycles, II 1; "
          f"RTL simulation vs hh.predict: {report}")
    all_ok = all_ok and report.ok
    print(f"\nNext: hgq-hls synth demo_out/rtl_tiny_mlp_qonnx   (yosys LUT/FF counts to compare with the "
          f"estimate's {estimate.lut} LUT / {estimate.ff} FF;\n      the first run compiles yosys, ~2 min)\n"
          "      open demo_out/hls_tiny_mlp_qonnx/README.md for Vitis HLS.")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
