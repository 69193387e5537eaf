"""Folding a node whose inputs are all constants, with ONNX's own reference runtime.

A typed constant (the output of a weight quantizer) holds integer mantissas, not values.
Ops that only move data (Transpose, Reshape, ...) are folded on the mantissas and keep the
type, so a quantized weight stays exactly typed; every other op is folded on the real
values and gives a float constant.  Folding the mantissas of a computing op would scale
its result by ``2**frac`` (a silent wrong layer).
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper
from onnx.reference import ReferenceEvaluator

from .handlers.base import Unsupported

#: ops whose output elements are copies of input 0's elements (later inputs are indices,
#: shapes, axes); Concat copies from all its inputs
DATA_MOVEMENT = {"Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout",
                 "Expand", "Tile", "Gather", "GatherElements", "GatherND", "Slice", "Split",
                 "Concat", "DepthToSpace", "SpaceToDepth", "ReverseSequence", "Compress"}


def _data_inputs(node) -> list[int]:
    present = [k for k, name in enumerate(node.input) if name]
    return present if node.op_type == "Concat" else present[:1]


def _evaluate(model, node, values: dict) -> list[np.ndarray]:
    names = list(values)
    graph = helper.make_graph(
        [node], "fold",
        [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(values[n].dtype), values[n].shape)
         for n in names],
        [helper.make_tensor_value_info(o, onnx.TensorProto.UNDEFINED, None) for o in node.output if o])
    folded = helper.make_model(graph, opset_imports=model.opset_import)
    try:
        return ReferenceEvaluator(folded).run(None, values)
    except Exception as exc:  # noqa: BLE001  (the reference runtime raises many kinds)
        raise Unsupported(f"folding this node on its constant inputs failed: {exc}") from None


def _fold(model, node, ctx, keep_type: bool) -> list[np.ndarray]:
    values = {}
    for name in [i for i in node.input if i]:
        t = ctx.graph.tensors[name]
        if t.type is None or keep_type:
            value = np.asarray(t.value)
        elif t.type.width > 53:
            raise Unsupported(f"folding needs the values of {t.name!r}, a {t.type.width}-bit "
                              "constant that float64 cannot hold exactly")
        else:
            value = t.float_value()
        if value.dtype == object:
            raise Unsupported(f"constant {t.name!r} is wider than 62 bits; it cannot be folded")
        values[name] = value
    return _evaluate(model, node, values)


def fold_constant_node(model, node, ctx) -> None:
    """Evaluate ``node`` (all inputs constant) and add its outputs as constants."""
    data = [ctx.graph.tensors[node.input[k]] for k in _data_inputs(node)]
    others = [ctx.graph.tensors[n] for k, n in enumerate(node.input) if n and k not in _data_inputs(node)]
    types = {t.type for t in data}
    keep_type = (node.op_type in DATA_MOVEMENT and len(types) == 1 and None not in types
                 and all(t.type is None for t in others))
    try:
        results = _fold(model, node, ctx, keep_type)
    except Unsupported:
        if not keep_type:
            raise
        keep_type = False          # e.g. an op the reference runs on floats only
        results = _fold(model, node, ctx, keep_type)
    (t_in,) = types if keep_type else (None,)
    for name, value in zip([o for o in node.output if o], results):
        out = ctx.add_const(name, np.asarray(value))
        if keep_type:
            ctx.graph.tensors[out].type, ctx.graph.tensors[out].declared = t_in, True
