"""Canonicalization passes: drop identities, fold affine constants into Dense/Conv."""

from __future__ import annotations

import numpy as np

from ..ir import Graph, Tensor
from ..ir.ops import OPS


def remove_identity(g: Graph) -> tuple[Graph, bool]:
    """Bypass Identity nodes (Dropout, DequantizeLinear after QuantizeLinear, ...)."""
    changed = False
    for node in [n for n in g.topological() if n.op == "Identity"]:
        g.bypass(node)
        changed = True
    return g, changed


def fold_transposes(g: Graph) -> tuple[Graph, bool]:
    """Compose a Transpose of a Transpose into one (channels-last exports wrap every layer in a
    pair: NHWC -> NCHW before it, back after it, so the pair between two layers cancels), and drop
    a Transpose that permutes nothing."""
    changed = False
    for node in [n for n in g.topological() if n.op == "Transpose"]:
        if node.name not in g.nodes:
            continue
        producer = g.producer(node.inputs[0])
        # (a declared type between them would be a cast: kept)
        if producer is not None and producer.op == "Transpose" and not g.tensors[node.inputs[0]].declared:
            inner = producer.attrs["perm"]
            g.rewire(node, node.inputs[0], producer.inputs[0])
            node.attrs["perm"] = tuple(inner[p] for p in node.attrs["perm"])
            changed = True
        if tuple(node.attrs["perm"]) == tuple(range(len(node.attrs["perm"]))):
            g.bypass(node)
            changed = True
    return g, changed


def remove_dead_nodes(g: Graph) -> tuple[Graph, bool]:
    """Drop nodes no graph output depends on (a Sqrt whose only reader became an inverse
    square root at import, unused branches of an export)."""
    changed = False
    while True:
        read = {t for n in g.nodes.values() for t in n.inputs} | set(g.outputs)
        dead = [n for n in g.nodes.values() if not any(t in read for t in n.outputs)]
        if not dead:
            return g, changed
        for n in dead:
            g.remove_node(n.name)
        g.prune()
        changed = True


def _float_const(g: Graph, name: str):
    t = g.tensors[name]
    return t.value if t.is_const and t.type is None else None


def _foldable_affine(g: Graph, node):
    """(layer, const) if ``node`` is Mul/Add by a per-output-channel float constant that
    directly follows a float-weight Dense/Conv whose only reader it is."""
    if node.op not in ("Mul", "Add"):
        return None
    act = [i for i in node.inputs if not g.tensors[i].is_const]
    consts = [i for i in node.inputs if g.tensors[i].is_const]
    if len(act) != 1 or len(consts) != 1 or _float_const(g, consts[0]) is None:
        return None
    layer = g.producer(act[0])
    if layer is None or not OPS[layer.op].multiply_accumulate or len(g.consumers(act[0])) != 1:
        return None
    if act[0] in g.outputs or any(_float_const(g, i) is None for i in layer.inputs[1:]):
        return None
    c = np.asarray(_float_const(g, consts[0]))
    out_shape = g.tensors[act[0]].shape
    channels = out_shape[-1] if layer.op == "Dense" else out_shape[0]
    # the constant must not change the shape, and vary only along the output-channel axis
    try:
        per_channel = np.broadcast_to(c, out_shape)
    except ValueError:
        return None
    axis = len(out_shape) - 1 if layer.op == "Dense" else 0
    vec = np.moveaxis(per_channel, axis, 0).reshape(channels, -1)
    if not np.all(vec == vec[:, :1]):
        return None
    return layer, vec[:, 0]


def fold_affine_into_layers(g: Graph) -> tuple[Graph, bool]:
    """Fold BatchNorm's Mul/Add (and any per-channel scale/shift) into float Dense/Conv weights."""
    changed = False
    for node in list(g.topological()):
        found = _foldable_affine(g, node)
        if found is None:
            continue
        layer, vec = found
        w = g.tensors[layer.inputs[1]].value
        has_bias = len(layer.inputs) > 2
        bias = g.tensors[layer.inputs[2]].value if has_bias else np.zeros(len(vec))
        if node.op == "Mul":
            w = w * vec if layer.op == "Dense" else w * vec.reshape((-1,) + (1,) * (w.ndim - 1))
            bias = bias * vec
        else:
            bias = bias + vec
        w_name, b_name = g.unique_name(f"{layer.name}_W_folded"), g.unique_name(f"{layer.name}_b_folded")
        g.add_tensor(Tensor(w_name, w.shape, value=w))
        g.add_tensor(Tensor(b_name, bias.shape, value=np.asarray(bias, dtype=np.float64)))
        layer.inputs = [layer.inputs[0], w_name, b_name]
        # the layer now produces what the affine node produced
        g.remove_node(node.name)
        old = layer.outputs[0]
        layer.outputs = [node.outputs[0]]
        g.tensors[node.outputs[0]].shape = g.tensors[old].shape
        g.prune()
        changed = True
    return g, changed
