"""Write a small float ONNX model (Gemm -> Relu -> Gemm), deterministic, no download needed."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def make_model(seed: int = 0) -> onnx.ModelProto:
    """A 4 -> 8 -> 3 MLP with a ReLU, weights drawn from a fixed seed."""
    rng = np.random.default_rng(seed)
    w1 = rng.normal(0, 0.6, (4, 8)).astype(np.float32)
    b1 = rng.normal(0, 0.2, 8).astype(np.float32)
    w2 = rng.normal(0, 0.5, (8, 3)).astype(np.float32)
    b2 = rng.normal(0, 0.2, 3).astype(np.float32)
    nodes = [
        helper.make_node("Gemm", ["x", "w1", "b1"], ["dense1"], name="dense1"),
        helper.make_node("Relu", ["dense1"], ["relu1"], name="relu1"),
        helper.make_node("Gemm", ["relu1", "w2", "b2"], ["y"], name="dense2"),
    ]
    graph = helper.make_graph(
        nodes, "tiny_mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])],
        initializer=[numpy_helper.from_array(a, n) for a, n in
                     [(w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2")]],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tiny_mlp.onnx")
    onnx.save(make_model(), out)
    print(f"wrote {out}")
