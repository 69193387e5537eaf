"""Scale extraction: float scales ride out of the multiply-accumulate layers, so their weights
and inputs are the model's integers (FINN's streamlining, exact).

A float-scaled model imports with its scales inside the values: weights ``s_w * q`` (a 24-bit
odd factor per output channel times an 8-bit code) and inputs ``D_x * codes`` (a dequantizing
``Mul``).  Both factors commute with the layer:

- **integer weights**: per output channel, the odd common factor ``G`` of the weight mantissas
  leaves them: ``Dense(x, W) = Dense(x, W / G) * G`` (a bias divisible by ``G`` stays inside,
  any other is added after the ``Mul``);
- **input scales**: a ``Mul`` by one positive constant before the layer (through ReLU, MaxPool,
  zero padding and data movement, which commute with a positive scale) moves after it;
- consecutive ``Mul`` by constants merge into one.

What is left after a layer is ``Mul`` by a constant (then a requantizer or thresholds, which
absorb it: :mod:`.thresholds`).  Every rewrite is exact: the values are unchanged.
"""

from __future__ import annotations

import math

import numpy as np

from ..fixed.division import odd_part
from ..fixed.interval import tightest_type
from ..fixed.storage import as_object
from ..ir import Graph, Node, Tensor
from ..ir.ops import OPS

#: ops through which a Mul by one positive constant commutes (c * f(x) == f(c * x))
_COMMUTES = ("Relu", "MaxPool", "Reshape", "Flatten", "Transpose", "Identity")


def _channel_axis(layer: Node, weight: np.ndarray) -> int:
    return weight.ndim - 1 if layer.op == "Dense" else 0


def _typed_const(g: Graph, base: str, mantissas, frac: int) -> str:
    """A new declared constant holding ``mantissas * 2**-frac`` in its tightest type."""
    t, value = tightest_type(np.asarray(mantissas, dtype=object), frac)
    name = g.unique_name(base)
    g.add_tensor(Tensor(name, tuple(value.shape), type=t, declared=True, value=value))
    return name


def _free(g: Graph, tensor: str) -> bool:
    """True when ``tensor`` may be rewritten: one reader, not an output, no declared cast."""
    return len(g.consumers(tensor)) == 1 and tensor not in g.outputs and not g.casts_output(tensor)


def _scale_after(g: Graph, layer: Node, factor: np.ndarray, frac: int, bias: str | None) -> None:
    """Make ``layer`` write a new tensor, followed by ``Mul`` by ``factor`` (and ``Add`` of ``bias``)."""
    out = layer.outputs[0]
    shape = g.tensors[out].shape
    acc = g.unique_name(f"{layer.name}_integer")
    g.add_tensor(Tensor(acc, shape))
    layer.outputs = [acc]
    const = _typed_const(g, f"{layer.name}_scale", factor, frac)
    scaled = out if bias is None else g.unique_name(f"{layer.name}_scaled")
    if bias is not None:
        g.add_tensor(Tensor(scaled, shape))
    g.add_node(Node(g.unique_name(f"{layer.name}_scale"), "Mul", [acc, const], [scaled], {}))
    if bias is not None:
        g.add_node(Node(g.unique_name(f"{layer.name}_bias"), "Add", [scaled, bias], [out], {}))


def _per_channel_shape(layer: Node, out_shape: tuple, channels: int) -> tuple:
    return (channels,) if layer.op == "Dense" else (channels,) + (1,) * (len(out_shape) - 1)


def integer_weights(g: Graph) -> tuple[Graph, bool]:
    """Move each output channel's odd common weight factor after the layer."""
    changed = False
    for layer in [n for n in g.topological() if OPS[n.op].multiply_accumulate]:
        w = g.tensors[layer.inputs[1]]
        out = layer.outputs[0]
        if w.type is None or not w.is_const or w.element_types is not None or g.tensors[out].declared:
            continue            # (per-element weight types stay as they are)
        m = np.asarray(w.value, dtype=object)
        axis = _channel_axis(layer, m)
        columns = np.moveaxis(m, axis, 0).reshape(m.shape[axis], -1)
        factors = np.array([odd_part(math.gcd(*[int(v) for v in col]))[0] or 1 for col in columns], dtype=object)
        if all(f == 1 for f in factors):
            continue
        shape = [1] * m.ndim
        shape[axis] = len(factors)
        layer.inputs[1] = _typed_const(g, f"{w.name}_integer", m // factors.reshape(shape), w.type.frac)
        bias = None
        if len(layer.inputs) > 2:
            b = g.tensors[layer.inputs[2]]
            bm = np.asarray(b.value, dtype=object)
            if b.type is not None and all(int(v) % int(f) == 0 for v, f in zip(bm.reshape(-1), factors)):
                layer.inputs[2] = _typed_const(g, f"{b.name}_integer", bm // factors, b.type.frac)
            else:                # added after the Mul (e.g. a bias Brevitas left unquantized)
                bias = layer.inputs.pop(2)
        out_shape = g.tensors[out].shape
        _scale_after(g, layer, factors.reshape(_per_channel_shape(layer, out_shape, len(factors))), 0,
                     bias if bias is None else _per_sample_bias(g, layer, bias, out_shape))
        changed = True
    if changed:
        g.prune()
    return g, changed


def _per_sample_bias(g: Graph, layer: Node, bias: str, out_shape: tuple) -> str:
    """The bias reshaped to broadcast over the layer's output (a Conv's bias is per channel)."""
    b = g.tensors[bias]
    if layer.op == "Dense" or len(out_shape) == 1:
        return bias
    name = g.unique_name(f"{bias}_per_channel")
    g.add_tensor(Tensor(name, (b.shape[0],) + (1,) * (len(out_shape) - 1), type=b.type, declared=b.declared,
                        value=np.asarray(b.value).reshape((b.shape[0],) + (1,) * (len(out_shape) - 1))))
    return name


def _zero_pad(g: Graph, node: Node) -> bool:
    """A Pad with the value 0 (commutes with a scale)."""
    return node.op == "Pad" and (len(node.inputs) < 2 or not np.any(np.asarray(g.tensors[node.inputs[1]].value)))


def _positive_scalar(g: Graph, node: Node) -> tuple[str, str] | None:
    """(activation, constant) when ``node`` is a Mul by one positive typed constant."""
    if node.op != "Mul":
        return None
    consts = [t for t in node.inputs if g.tensors[t].is_const]
    acts = [t for t in node.inputs if not g.tensors[t].is_const]
    if len(consts) != 1 or len(acts) != 1:
        return None
    c = g.tensors[consts[0]]
    if c.type is None or np.size(c.value) != 1 or int(np.asarray(c.value, dtype=object).reshape(-1)[0]) <= 0:
        return None
    return acts[0], consts[0]


def input_scales(g: Graph) -> tuple[Graph, bool]:
    """Move a Mul by one positive constant from before a Dense/Conv (through ops it commutes
    with) to after it."""
    changed = False
    for layer in [n for n in g.topological() if OPS[n.op].multiply_accumulate]:
        path, x = [], layer.inputs[0]
        node = g.producer(x)
        while node is not None and _free(g, x) and (node.op in _COMMUTES or _zero_pad(g, node)):
            path.insert(0, node)
            x = node.inputs[0]
            node = g.producer(x)
        found = _positive_scalar(g, node) if node is not None and _free(g, x) else None
        if found is None or g.tensors[layer.outputs[0]].declared:
            continue
        source, const = found
        c = g.tensors[const]
        bias = None
        if len(layer.inputs) > 2:
            b = g.tensors[layer.inputs[2]]
            cm = int(np.asarray(c.value, dtype=object).reshape(-1)[0])
            odd = odd_part(cm)[0]
            bm = np.asarray(b.value, dtype=object)
            if b.type is not None and all(int(v) % odd == 0 for v in bm.reshape(-1)):
                # b / c exactly: the odd part divides, the power of two is a grid change
                exp = (cm // odd).bit_length() - 1
                layer.inputs[2] = _typed_const(g, f"{b.name}_unscaled", bm // odd, b.type.frac + exp - c.type.frac)
            else:
                bias = layer.inputs.pop(2)
        # the first op after the Mul now reads the Mul's input; the Mul goes after the layer
        first = path[0] if path else layer
        g.remove_node(node.name)
        g.rewire(first, x, source)
        out_shape = g.tensors[layer.outputs[0]].shape
        _scale_after(g, layer, np.asarray(c.value, dtype=object).reshape(()), c.type.frac,
                     None if bias is None else _per_sample_bias(g, layer, bias, out_shape))
        changed = True
    if changed:
        g.prune()
    return g, changed


def merge_scales(g: Graph) -> tuple[Graph, bool]:
    """``Mul(Mul(x, a), b)`` by constants becomes ``Mul(x, a * b)`` (exact products)."""
    changed = False
    for node in list(g.topological()):
        if node.name not in g.nodes or node.op != "Mul":
            continue
        consts = [t for t in node.inputs if g.tensors[t].is_const and g.tensors[t].type is not None]
        acts = [t for t in node.inputs if not g.tensors[t].is_const]
        if len(consts) != 1 or len(acts) != 1:
            continue
        inner = g.producer(acts[0])
        if inner is None or inner.op != "Mul" or not _free(g, acts[0]):
            continue
        inner_consts = [t for t in inner.inputs if g.tensors[t].is_const and g.tensors[t].type is not None]
        inner_acts = [t for t in inner.inputs if not g.tensors[t].is_const]
        if len(inner_consts) != 1 or len(inner_acts) != 1:
            continue
        a, b = g.tensors[inner_consts[0]], g.tensors[consts[0]]
        product = as_object(np.asarray(a.value)) * as_object(np.asarray(b.value))
        merged = _typed_const(g, f"{node.name}_merged", product, a.type.frac + b.type.frac)
        g.remove_node(inner.name)
        node.inputs = [inner_acts[0], merged]
        changed = True
    if changed:
        g.prune()
    return g, changed


def divides_by_odd(node: Node) -> bool:
    """True for a Requantize by a scale that is not a power of two (a divisor with an odd factor)."""
    return node.op == "Requantize" and any(
        odd_part(v)[0] > 1 for v in np.asarray(node.attrs["divisor"], dtype=object).reshape(-1))


def has_float_scales(g: Graph) -> bool:
    """True when a quantizer divides by a scale that is not a power of two."""
    return any(divides_by_odd(node) for node in g.nodes.values())


def extract_scales(g: Graph) -> tuple[Graph, bool]:
    """All three rewrites, in a model with float scales (power-of-two models are left as they
    are: their weights are already the integers, their scales shifts)."""
    if not has_float_scales(g):
        return g, False
    changed = False
    for rewrite in (integer_weights, input_scales, merge_scales):
        g, did = rewrite(g)
        changed |= did
    return g, changed
