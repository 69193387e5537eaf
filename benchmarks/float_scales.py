"""Float-scaled models (Brevitas defaults with a BatchNorm between quantizers, onnxruntime
quantize_static) against peers run side by side.

For each model: how many outputs equal the exact rational result (hh.predict), for hgq_hls and
each peer (onnxruntime on the QDQ model, qonnx's executor and hls4ml 1.3's C-simulation on the
QONNX ones); samples/s of hh.predict against the peer's; and the estimated LUTs of the model as
imported (scales inside the values, the chain kept) against the streamlined one (integer
layers, thresholds).  Run: ``pip install -e .[bench]`` then ``python benchmarks/float_scales.py``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

import hgq_hls as hh
from common import best_of

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.frontend.float_scale_models import brevitas_style_bn, ort_static_qdq  # noqa: E402

N = 2_000


def _as_compiled(model, streamline: bool) -> hh.Graph:
    """The model imported with (default) or without scale extraction and thresholds."""
    if streamline:
        return hh.load_onnx(model)
    from hgq_hls.frontend.onnx.loader import build_graph, read_model
    from hgq_hls.passes import CANONICALIZE, infer_precision, infer_shapes, run_to_fixpoint
    from hgq_hls.passes.extract_scales import extract_scales
    g = run_to_fixpoint(build_graph(read_model(model)), [p for p in CANONICALIZE if p is not extract_scales])
    g, _ = infer_shapes(g)
    g, _ = infer_precision(g)
    return g.validate()


def onnxruntime_peer(model, x):
    import onnxruntime as ort
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    xf = x.astype(np.float32)
    return best_of(lambda: session.run(None, {"x": xf})[0])


def qonnx_peer(model, x):
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes
    wrapped = ModelWrapper(model)
    wrapped.set_tensor_shape("x", list(x.shape))
    wrapped = wrapped.transform(InferShapes())
    out = wrapped.graph.output[0].name
    return best_of(lambda: execute_onnx(wrapped, {"x": x.astype(np.float32)})[out], repeat=1)


def hls4ml_peer(model, x):
    import hls4ml_peer as peer
    with tempfile.TemporaryDirectory() as work:
        hm = peer.convert(model, Path(work))
        hm.compile()
        return best_of(lambda: np.asarray(hm.predict(peer.inputs(x))), repeat=1)


def main():
    rng = np.random.default_rng(0)
    models = [("quantize_static MLP 8-16-4", ort_static_qdq(0), (N, 8), [("onnxruntime", onnxruntime_peer)]),
              ("Brevitas-style BN MLP 6-4-3", brevitas_style_bn(0), (N, 6),
               [("qonnx", qonnx_peer), ("hls4ml 1.3", hls4ml_peer)]),
              ("Brevitas-style BN CNN", brevitas_style_bn(0, cnn=True), (N // 10, 2, 5, 5), [("qonnx", qonnx_peer)])]
    print(f"{'model':30} {'peer':12} {'peer exact':>11} {'ours/peer samples/s':>20} "
          f"{'LUT as imported':>16} {'streamlined':>12} {'ratio':>6}")
    for name, model, shape, peers in models:
        x = (rng.normal(0, 1.5, shape)).astype(np.float32).astype(np.float64)
        g, plain = _as_compiled(model, True), _as_compiled(model, False)
        seconds, ours = best_of(lambda: hh.predict(g, x))
        assert np.array_equal(ours, hh.predict(plain, x))      # the streamlined graph is exact too
        lut, lut_plain = hh.estimate(g).total("lut"), hh.estimate(plain).total("lut")
        for peer_name, run in peers:
            try:
                peer_seconds, theirs = run(model, x)
            except Exception as exc:                # a peer that cannot run the model is a finding
                print(f"{name:30} {peer_name:12} {'fails: ' + type(exc).__name__ + ': ' + str(exc)[:60]}")
                continue
            theirs = np.asarray(theirs, dtype=np.float64).reshape(ours.shape)
            agree = np.mean(ours.astype(np.float32) == theirs.astype(np.float32))
            print(f"{name:30} {peer_name:12} {agree:>10.2%} {peer_seconds / seconds:>20.3g} "
                  f"{lut_plain:>16,.0f} {lut:>12,.0f} {lut / lut_plain:>6.2f}")


if __name__ == "__main__":
    main()
