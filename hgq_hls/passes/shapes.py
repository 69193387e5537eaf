"""Shape inference: every tensor's per-sample shape from the op shape rules, checked."""

from __future__ import annotations

from ..errors import InvalidGraphError
from ..ir import Graph
from ..ir.ops import OPS


def infer_shapes(g: Graph) -> tuple[Graph, bool]:
    """Re-derive output shapes in graph order; fill missing ones, reject contradictions.

    Rewrites (BatchNorm folding, bypassed identities) must keep shapes consistent; this pass
    proves they did before types are sized from them.
    """
    changed, problems = False, []
    for node in g.topological():
        shapes = OPS[node.op].shape(node, [g.tensors[i].shape for i in node.inputs])
        for name, shape in zip(node.outputs, shapes):
            shape = tuple(int(d) for d in shape)
            tensor = g.tensors[name]
            if tensor.shape is None:
                tensor.shape, changed = shape, True
            elif tuple(tensor.shape) != shape:
                problems.append(f"node {node.name!r} ({node.op}) produces {shape}, "
                                f"but {name!r} is recorded as {tuple(tensor.shape)}")
    if problems:
        raise InvalidGraphError("inconsistent shapes:\n" + "\n".join(f"  - {p}" for p in problems))
    return g, changed
