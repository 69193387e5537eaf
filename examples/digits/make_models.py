"""Train a small MLP and a small CNN on scikit-learn's bundled 8x8 digits; export float ONNX.

No download and no deep-learning framework: the models are hgq_hls float graphs, trained with
Adam on gradients from hgq_hls's own reverse-mode pass (``hgq_hls.precision.gradients``).
Writes ``digits_mlp.onnx``, ``digits_cnn.onnx`` and ``digits_calib.npy`` (256 training images
for calibration) next to this file (committed; run this script again to remake them: it is
deterministic).  Pixels are scaled to [0, 1].
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx

import hgq_hls as hh
from hgq_hls.frontend.onnx.builder import ModelBuilder
from hgq_hls.precision import gradients

HERE = Path(__file__).parent
SEED = 0


def digits():
    """(x_train, y_train, x_test, y_test): 1,437 / 360 samples, pixels in [0, 1]."""
    from sklearn.datasets import load_digits

    data = load_digits()
    x, y = data.data / 16.0, data.target
    order = np.random.default_rng(SEED).permutation(len(x))
    x, y = x[order], y[order]
    return x[:1437], y[:1437], x[1437:], y[1437:]


def mlp_model(p: dict) -> onnx.ModelProto:
    """64-32-16-10 MLP with ReLU."""
    b = ModelBuilder("digits_mlp")
    h = b.node("Relu", [b.node("Gemm", ["x", b.const(p["w1"], "w1_"), b.const(p["b1"], "b1_")])])
    h = b.node("Relu", [b.node("Gemm", [h, b.const(p["w2"], "w2_"), b.const(p["b2"], "b2_")])])
    y = b.node("Gemm", [h, b.const(p["w3"], "w3_"), b.const(p["b3"], "b3_")])
    return b.build({"x": ["N", 64]}, y)


def cnn_model(p: dict) -> onnx.ModelProto:
    """Conv 3x3 (1 -> 6) - ReLU - MaxPool 2x2 - Dense (54 -> 10)."""
    b = ModelBuilder("digits_cnn")
    x = b.node("Reshape", ["x", b.const(np.array([-1, 1, 8, 8], dtype=np.int64), "shape_")])
    h = b.node("Conv", [x, b.const(p["k1"], "k1_"), b.const(p["c1"], "c1_")], kernel_shape=[3, 3])
    h = b.node("MaxPool", [b.node("Relu", [h])], kernel_shape=[2, 2], strides=[2, 2])
    y = b.node("Gemm", [b.node("Flatten", [h]), b.const(p["w2"], "w2_"), b.const(p["b2"], "b2_")])
    return b.build({"x": ["N", 64]}, y)


def init(kind: str, rng) -> dict:
    def he(*shape, fan_in):
        return (rng.normal(0, np.sqrt(2.0 / fan_in), shape)).astype(np.float32)
    if kind == "mlp":
        return dict(w1=he(64, 32, fan_in=64), b1=np.zeros(32, np.float32), w2=he(32, 16, fan_in=32),
                    b2=np.zeros(16, np.float32), w3=he(16, 10, fan_in=16), b3=np.zeros(10, np.float32))
    return dict(k1=he(6, 1, 3, 3, fan_in=9), c1=np.zeros(6, np.float32), w2=he(54, 10, fan_in=54),
                b2=np.zeros(10, np.float32))


def _param_tensors(g: hh.Graph, params: dict) -> dict:
    """Graph tensor name of each parameter (the initializers keep their names, suffixed by k)."""
    found = {}
    for key in params:
        names = [t for t in g.tensors if t.startswith(f"{key}_") and g.tensors[t].is_const]
        (found[key],) = names
    return found


def train(kind: str, epochs: int = 60, batch: int = 64, lr: float = 0.01):
    """Train one model; returns (float ONNX model, test accuracy)."""
    rng = np.random.default_rng(SEED)
    x_train, y_train, x_test, y_test = digits()
    build = mlp_model if kind == "mlp" else cnn_model
    params = init(kind, rng)
    g = hh.load_onnx(build(params))
    names = _param_tensors(g, params)
    m = {k: 0.0 for k in params}
    v = {k: 0.0 for k in params}
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(x_train))
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            logits = hh.predict(g, x_train[idx])
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(idx)), y_train[idx]] -= 1.0          # d(cross-entropy)/d(logits)
            grads = gradients(g, x_train[idx], p / len(idx))
            step += 1
            for key, name in names.items():
                grad = grads[name]
                m[key] = 0.9 * m[key] + 0.1 * grad
                v[key] = 0.999 * v[key] + 0.001 * grad * grad
                update = lr * (m[key] / (1 - 0.9 ** step)) / (np.sqrt(v[key] / (1 - 0.999 ** step)) + 1e-8)
                g.tensors[name].value = g.tensors[name].value - update
    trained = {key: np.asarray(g.tensors[name].value, dtype=np.float32) for key, name in names.items()}
    model = build(trained)
    accuracy = float((hh.predict(hh.load_onnx(model), x_test).argmax(axis=1) == y_test).mean())
    return model, accuracy


def main() -> int:
    np.save(HERE / "digits_calib.npy", digits()[0][:256].astype(np.float32))
    for kind in ("mlp", "cnn"):
        model, accuracy = train(kind)
        path = HERE / f"digits_{kind}.onnx"
        onnx.save(model, path)
        print(f"{path.name}: float test accuracy {100 * accuracy:.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
