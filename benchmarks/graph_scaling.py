"""Import + compile time of deep QONNX chains against peers, as the node count grows.

Model: x -> Quant -> [Mul by a constant -> Add a constant -> Relu -> Quant] x k, on an
8-wide vector (4k + 1 nodes).  hgq_hls: ``hh.load_onnx`` (read, check, translate, the pass
pipeline, exact precision inference).  Peers on the same model: qonnx's ``ModelWrapper`` with
``InferShapes`` + ``InferDataTypes`` (test extra) and an onnxruntime session (bench extra).
Prints seconds, microseconds per node, and the ratio peer / hgq_hls.  The time per node
should stay flat (linear growth); before the graph caches it grew with the node count.
Run: ``python benchmarks/graph_scaling.py [--sizes 250,1000,5000]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hgq_hls as hh  # noqa: E402
from common import best_of  # noqa: E402
from hgq_hls.frontend.onnx.builder import ModelBuilder  # noqa: E402


QONNX_MAX_NODES = 1100


def chain(blocks: int):
    """The benchmark model with ``blocks`` Mul/Add/Relu/Quant blocks."""
    rng = np.random.default_rng(0)
    b = ModelBuilder(f"chain{blocks}")
    h = b.quant("x", 8, 4)
    for _ in range(blocks):
        h = b.node("Mul", [h, b.const(np.float32(rng.choice([0.5, 0.75, 1.25])))])
        h = b.node("Add", [h, b.const((rng.integers(-8, 8, 8) / 16).astype(np.float32))])
        h = b.quant(b.node("Relu", [h]), 8, 4, signed=0)
    return b.build({"x": ["N", 8]}, h)


def qonnx_time(model):
    try:
        from qonnx.core.modelwrapper import ModelWrapper
        from qonnx.transformation.infer_datatypes import InferDataTypes
        from qonnx.transformation.infer_shapes import InferShapes
    except ImportError:
        return None
    return best_of(lambda: ModelWrapper(model).transform(InferShapes()).transform(InferDataTypes()),
                   repeat=1)[0]


def onnxruntime_time(model):
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    # onnxruntime has no QONNX Quant: time the float graph with the Quant nodes removed
    float_model = _without_quant(model)
    data = float_model.SerializeToString()
    options = ort.SessionOptions()
    options.log_severity_level = 3          # the removed Quant constants are not worth a warning each
    return best_of(lambda: ort.InferenceSession(data, options, providers=["CPUExecutionProvider"]),
                   repeat=1)[0]


def _without_quant(model):
    import copy

    out = copy.deepcopy(model)
    rename = {}
    keep = []
    for node in out.graph.node:
        if node.op_type == "Quant":
            rename[node.output[0]] = rename.get(node.input[0], node.input[0])
            continue
        node.input[:] = [rename.get(i, i) for i in node.input]
        keep.append(node)
    del out.graph.node[:]
    out.graph.node.extend(keep)
    for o in out.graph.output:
        o.name = rename.get(o.name, o.name)
    del out.opset_import[1:]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="62,125,250,500,1250", help="blocks per model (4 nodes each)")
    args = parser.parse_args()
    print(f"{'nodes':>6} {'hgq_hls s':>10} {'us/node':>8} {'qonnx s':>8} {'qonnx/hgq':>9} "
          f"{'ort s':>7} {'ort/hgq':>8}")
    for blocks in [int(s) for s in args.sizes.split(",")]:
        model = chain(blocks)
        nodes = len(model.graph.node)
        seconds, g = best_of(lambda: hh.load_onnx(model), repeat=1)
        assert len(g.nodes) > 0
        # qonnx grows quadratically (78 s at 2,000 nodes here): measured up to QONNX_MAX_NODES
        q = qonnx_time(model) if nodes <= QONNX_MAX_NODES else None
        o = onnxruntime_time(model)
        ratio = lambda peer: "n/a" if peer is None else f"{peer / seconds:.2f}"  # noqa: E731
        print(f"{nodes:>6} {seconds:>10.2f} {1e6 * seconds / nodes:>8.0f} "
              f"{'n/a' if q is None else f'{q:.2f}':>8} {ratio(q):>9} "
              f"{'n/a' if o is None else f'{o:.2f}':>7} {ratio(o):>8}")


if __name__ == "__main__":
    main()
