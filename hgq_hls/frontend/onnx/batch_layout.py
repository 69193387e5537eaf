"""Tensors whose ONNX batch axis is not axis 0, kept batch-first in the IR.

Sequence models are exported sequence-first: torch's ``batch_first=True`` LSTM becomes
``Transpose(1, 0, 2) -> LSTM(layout=0) -> ... -> Transpose(1, 0, 2)``, and Keras exports move
the batch axis with Transposes too.  The IR holds every activation per sample (batch first), so
the importer records, for an ONNX tensor whose batch sits on axis ``b != 0``, that its IR tensor
is the *canonical* form ``moveaxis(tensor, b, 0)``, and rewrites each node reading it into
canonical coordinates (:func:`canonical_node`):

- Transpose, Squeeze, Unsqueeze, Reshape become per-sample moves of the canonical tensor (the
  batch may land on any axis again, or back on 0);
- ops with an axis attribute (Gather, Concat, Split, Softmax) and Slice get their axes remapped;
- elementwise ops, and MatMul by a constant on the last axis, keep the layout;
- LSTM/GRU/RNN with ``layout=0`` reading an input whose batch is on axis 1 run as ``layout=1``,
  whose outputs are exactly the canonical forms of the layout-0 outputs.

A node that would mix the batch with other axes, and a graph output whose batch is not first,
are refused by name.
"""

from __future__ import annotations

import copy

import numpy as np
from onnx import helper

from .handlers.base import Unsupported

#: ops that keep shape and layout when every activation input shares one batch axis and shape
#: and every constant input is a single value or spans only axes after the batch
ELEMENTWISE = {"Relu", "Sigmoid", "Tanh", "Identity", "Dropout", "Neg", "Abs", "Elu", "Selu", "LeakyRelu",
               "HardSigmoid", "HardSwish", "Softsign", "Softplus", "Sqrt", "Exp", "Erf", "Add", "Sub", "Mul",
               "Div", "Max", "Min", "Clip", "Quant", "BipolarQuant", "QuantizeLinear", "DequantizeLinear", "Cast"}
#: ops whose only layout dependence is one axis attribute
AXIS_ATTRIBUTE = {"Gather", "Concat", "Split", "Softmax", "LogSoftmax"}
RECURRENT = {"LSTM", "GRU", "RNN"}


def _batch_dims(ctx, name: str, b: int) -> list:
    """The ONNX dims of an activation: its per-sample shape with ``"B"`` inserted at ``b``."""
    dims = list(ctx.shape(name))
    dims.insert(b, "B")
    return dims


def _canonical_axis(axis: int, b: int, rank: int, what: str) -> int:
    """An ONNX axis of a tensor whose batch is on ``b``, in canonical (batch-first) coordinates."""
    axis = axis + rank if axis < 0 else axis
    if axis == b:
        raise Unsupported(f"{what} acts on the batch axis ({b} here, after a Transpose moved it)")
    return axis + 1 if axis < b else axis


def _sample(dims: list) -> tuple[int, tuple]:
    """(batch position, per-sample shape) of dims holding one ``"B"``."""
    b = dims.index("B")
    return b, tuple(int(d) for k, d in enumerate(dims) if k != b)


def _move(ctx, node, dims_out: list) -> int:
    """Write ``node``'s output as a per-sample Reshape/Transpose; returns its batch position."""
    b_out, shape = _sample(dims_out)
    ctx.add("Reshape", [node.input[0]], [node.output[0]], node.name, shape=shape)
    return b_out


def _transpose(ctx, node, b: int) -> int:
    shape = ctx.shape(node.input[0])
    rank = len(shape) + 1
    perm = list(ctx.attrs(node).get("perm", list(range(rank))[::-1]))
    b_out = perm.index(b)
    cin = [b] + [a for a in range(rank) if a != b]            # canonical input axis -> ONNX axis
    cout = [b_out] + [j for j in range(rank) if j != b_out]   # canonical output axis -> ONNX output axis
    full = [cin.index(perm[j]) for j in cout]                 # canonical output axis -> canonical input axis
    per_sample = tuple(a - 1 for a in full[1:])
    if per_sample == tuple(range(rank - 1)):
        ctx.add("Identity", [node.input[0]], [node.output[0]], node.name)
    else:
        ctx.add("Transpose", [node.input[0]], [node.output[0]], node.name, perm=per_sample)
    return b_out


def _squeeze(ctx, node, b: int) -> int:
    dims = _batch_dims(ctx, node.input[0], b)
    axes = ctx.attrs(node).get("axes")
    if axes is None and len(node.input) > 1:
        axes = [int(v) for v in ctx.require_const(node, 1, "axes")]
    if node.op_type == "Squeeze":
        if axes is None:
            raise Unsupported("Squeeze without axes would squeeze a batch of 1: name the axes")
        drop = {a + len(dims) if a < 0 else a for a in axes}
        if b in drop:
            raise Unsupported(f"squeezes the batch axis ({b} here, after a Transpose moved it)")
        out = [d for k, d in enumerate(dims) if k not in drop]
    else:
        rank = len(dims) + len(axes)
        out = list(dims)
        for a in sorted(a + rank if a < 0 else a for a in axes):
            out.insert(a, 1)
    return _move(ctx, node, out)


def _reshape(ctx, node, b: int) -> int:
    dims = _batch_dims(ctx, node.input[0], b)
    target = [int(d) for d in ctx.require_const(node, 1, "the target shape")]
    before = int(np.prod([d for d in dims[:b]], dtype=np.int64))
    after = int(np.prod([d for d in dims[b + 1:]], dtype=np.int64))
    for j in range(len(target)):
        # entry j stands for the batch (0 copies it, -1 or the traced batch size alike)
        rest = [dims[k] if d == 0 and k < len(dims) else d for k, d in enumerate(target)]
        if any(d == "B" for k, d in enumerate(rest) if k != j):
            continue
        rest[j] = "B"
        known = [d for k, d in enumerate(rest) if k != j and d != -1]
        if rest.count(-1) > 1 or any(d < 0 for d in known):
            continue
        size = before * after
        if -1 in rest:
            prod = int(np.prod(known, dtype=np.int64))
            if not prod or size % prod:
                continue
            rest[rest.index(-1)] = size // prod
        head = int(np.prod(rest[:j], dtype=np.int64))
        tail = int(np.prod(rest[j + 1:], dtype=np.int64))
        if head == before and tail == after:
            return _move(ctx, node, rest)
    raise Unsupported(f"reshapes {tuple(str(d) for d in dims)} to {tuple(target)}, which mixes the batch "
                      f"(axis {b} here, after a Transpose moved it) with other axes")


def _slice(ctx, node, b: int, rank: int):
    """A Slice (opset 10+: axes as input 3) with its axes in canonical coordinates."""
    if len(node.input) < 3:
        raise Unsupported("Slice with starts/ends attributes on a moved batch axis is not supported")
    starts = ctx.require_const(node, 1, "starts")
    axes = ctx.require_const(node, 3, "axes") if len(node.input) > 3 and node.input[3] else range(len(starts))
    canonical = [_canonical_axis(int(a), b, rank, "Slice") for a in axes]
    out = copy.deepcopy(node)
    while len(out.input) < 4:
        out.input.append("")
    out.input[3] = ctx.new_const(f"{node.name}_axes", np.asarray(canonical, dtype=np.int64))
    return out


def _with_attrs(node, **values):
    """A copy of ``node`` with attributes replaced."""
    out = copy.deepcopy(node)
    keep = [a for a in out.attribute if a.name not in values]
    del out.attribute[:]
    out.attribute.extend(keep + [helper.make_attribute(k, v) for k, v in values.items()])
    return out


def canonical_node(ctx, node):
    """``(node to import, {output: batch axis})``: ``node`` itself when nothing is moved, a copy in
    canonical coordinates, or ``None`` when the move is already imported here."""
    activations = [i for i in node.input if i and ctx.const(i) is None]
    axes = {i: ctx.batch_axes.get(i, 0) for i in activations}
    moved = any(axes.values())
    attrs = ctx.attrs(node)
    op = node.op_type
    if op in RECURRENT and attrs.get("layout", 0) == 0:
        if not activations or axes.get(node.input[0], 0) != 1:
            raise Unsupported("layout=0 (sequence first) on an input whose batch is on axis 0: export "
                              "with batch_first=True (a Transpose moves the batch to axis 1) or layout=1")
        # layout 1 reads the canonical input; its outputs are the canonical layout-0 outputs
        outs = dict(zip(node.output, [2, 1, 1]))
        return _with_attrs(node, layout=1), {o: b for o, b in outs.items() if o}
    if op == "Transpose" and activations:
        b = axes[node.input[0]]
        rank = len(ctx.shape(node.input[0])) + 1
        perm = list(attrs.get("perm", list(range(rank))[::-1]))
        if b == 0 and perm[0] == 0:
            return node, {}
        return None, {node.output[0]: _transpose(ctx, node, b)}
    if not moved:
        return node, {}
    if any(ctx.batch_axes.get(i, 0) != axes[activations[0]] for i in activations):
        raise Unsupported("reads tensors whose batch axes differ")
    b = axes[activations[0]]
    if op in ("Squeeze", "Unsqueeze"):
        return None, {node.output[0]: _squeeze(ctx, node, b)}
    if op == "Reshape":
        return None, {node.output[0]: _reshape(ctx, node, b)}
    rank = len(ctx.shape(activations[0])) + 1
    if op in AXIS_ATTRIBUTE:
        default = -1 if op in ("Softmax", "LogSoftmax") else 0
        axis = _canonical_axis(attrs.get("axis", default), b, rank, f"{op}'s axis")
        out_b = b
        if op == "Gather":
            axis_onnx = attrs.get("axis", 0) % rank
            indices = ctx.require_const(node, 1, "the indices")
            out_b = b - 1 + np.ndim(indices) if axis_onnx < b else b
        return _with_attrs(node, axis=axis), {o: out_b for o in node.output if o}
    if op == "MatMul" and len(activations) == 1 and activations[0] == node.input[0] and b != rank - 1:
        # a constant matrix on the last axis: the canonical tensor keeps that axis last
        return node, {node.output[0]: b}
    if op == "Slice" and len(node.input) > 3 and node.input[3] or op == "Slice" and b:
        return _slice(ctx, node, b, rank), {node.output[0]: b}
    if op in ELEMENTWISE:
        shapes = {tuple(ctx.shape(i)) for i in activations}
        constants = [i for i in node.input if i and ctx.const(i) is not None]
        # a constant broadcasts alike when it spans only axes after the batch (they stay trailing)
        if len(shapes) == 1 and all(np.size(ctx.const(i)) == 1 or np.ndim(ctx.const(i)) < rank - b
                                    for i in constants):
            return node, {o: b for o in node.output if o}
    raise Unsupported(f"reads a tensor whose batch is on axis {b} (after a Transpose moved it); "
                      f"{op} is imported only batch-first")
