"""Reverse-mode gradients of a float graph: one vector-Jacobian product per op, in a registry
(in modules named after the op families of ``ir/ops``).

``gradients(g, x, grad_output)`` runs the untyped graph ``g`` forward in float64 (the same
kernels as ``hh.predict``), then walks the nodes backwards and returns the gradient of
``sum(grad_output * output)`` with respect to every tensor: activations (batch first) and
constants (weights, biases; summed over the batch).  First-order mixed-precision sensitivity
(Chauhan et al. 2023) needs exactly this; the tests check every rule against finite
differences.
"""

from __future__ import annotations

import numpy as np

from ...errors import Problem, UnsupportedModelError
from ...ir import Graph
from ...reference.executor import run
from .base import VJP, unbroadcast, vjp
from . import elementwise, linear, movement, pooling, quantize, tables  # noqa: F401  (registration)

__all__ = ["VJP", "gradients", "vjp"]


def gradients(g: Graph, x, grad_output) -> dict[str, np.ndarray]:
    """d(sum(grad_output * y))/d(tensor) for every tensor of the float graph ``g``.

    ``grad_output``: one array (or a list, one per graph output) shaped like the outputs.
    Activation gradients keep the batch axis; constant gradients are summed over it.
    """
    if any(t.type is not None for t in g.tensors.values()):
        raise ValueError("gradients() runs float graphs: load the model without types")
    missing = [Problem(n.name, n.op, "no gradient rule") for n in g.nodes.values() if n.op not in VJP]
    if missing:
        raise UnsupportedModelError(missing)
    values = {name: arr for name, (arr, _) in run(g, x).items()}
    outs = grad_output if isinstance(grad_output, (list, tuple)) else [grad_output]
    grads: dict[str, np.ndarray] = {}
    for name, grad in zip(g.outputs, outs):
        grads[name] = np.asarray(grad, dtype=np.float64)
    for node in reversed(g.topological()):
        upstream = [grads.get(t) for t in node.outputs]
        if all(u is None for u in upstream):
            continue
        upstream = [np.zeros_like(values[t]) if u is None else u for t, u in zip(node.outputs, upstream)]
        ins = [values[t] for t in node.inputs]
        result = VJP[node.op](node, ins, [values[t] for t in node.outputs], upstream)
        for t, grad in zip(node.inputs, result):
            if grad is None:
                continue
            target = np.shape(values[t])
            grad = unbroadcast(np.asarray(grad, dtype=np.float64), target)
            grads[t] = grads[t] + grad if t in grads else grad
    return grads
