"""load_onnx: an ONNX / QONNX model becomes a typed hgq_hls Graph."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference, version_converter

from ...errors import Problem, UnsupportedModelError
from ...ir import Graph, Tensor
from ...passes import compile_graph
from . import handlers_elementwise, handlers_linear, handlers_pooling, handlers_quant, handlers_shape  # noqa: F401
from .context import ImportContext
from .registry import HANDLERS, Unsupported

MIN_OPSET = 13
#: ops whose handler must see constant inputs itself (they produce typed constants)
_KEEP_CONSTANT_OPS = {"Quant", "IntQuant", "BipolarQuant", "Trunc", "QuantizeLinear",
                      "DequantizeLinear"}


def _read(model) -> onnx.ModelProto:
    if isinstance(model, onnx.ModelProto):
        return model
    path = Path(model)
    if not path.exists():
        raise FileNotFoundError(f"no ONNX model at {path}")
    return onnx.load(str(path))


def _default_opset(model) -> int:
    for imp in model.opset_import:
        if imp.domain in ("", "ai.onnx"):
            return imp.version
    return MIN_OPSET


def _upgrade(model: onnx.ModelProto) -> onnx.ModelProto:
    """Upgrade old opsets (e.g. opset 6 PyTorch exports) so handlers see one op version."""
    if _default_opset(model) >= MIN_OPSET:
        return model
    custom = [n for n in model.graph.node if n.domain not in ("", "ai.onnx")]
    if custom:
        return model  # the version converter rejects custom domains; handlers cope with both
    try:
        return version_converter.convert_version(model, MIN_OPSET)
    except Exception as exc:  # noqa: BLE001  (the converter raises many kinds)
        raise UnsupportedModelError([Problem("(model)", "opset", f"cannot upgrade opset "
                                             f"{_default_opset(model)} to {MIN_OPSET}: {exc}")]) from None


def _fold_with_onnx_reference(model, node, ctx) -> None:
    """Evaluate a node whose inputs are all constants with ONNX's own reference runtime."""
    from onnx import helper
    from onnx.reference import ReferenceEvaluator

    inputs = [ctx.const(i) for i in node.input if i]
    graph = helper.make_graph(
        [node], "fold",
        [helper.make_tensor_value_info(i, helper.np_dtype_to_tensor_dtype(v.dtype), v.shape)
         for i, v in zip([i for i in node.input if i], inputs)],
        [helper.make_tensor_value_info(o, onnx.TensorProto.UNDEFINED, None) for o in node.output if o])
    folded = helper.make_model(graph, opset_imports=model.opset_import)
    results = ReferenceEvaluator(folded).run(None, dict(zip([i for i in node.input if i], inputs)))
    for name, value in zip([o for o in node.output if o], results):
        ctx.add_const(name, np.asarray(value))


def _graph_inputs(model, g: Graph, problems: list) -> None:
    initializers = {t.name for t in model.graph.initializer}
    for vi in model.graph.input:
        if vi.name in initializers:     # old exporters list weights as inputs too
            continue
        dims = vi.type.tensor_type.shape.dim
        shape = [d.dim_value if d.HasField("dim_value") else None for d in dims]
        if len(shape) < 1 or any(d is None or d <= 0 for d in shape[1:]):
            problems.append(Problem(vi.name, "(input)", f"shape {shape} is not static beyond the "
                                    "batch axis; export with fixed feature dimensions"))
            continue
        g.add_tensor(Tensor(vi.name, tuple(shape[1:])))
        g.inputs.append(vi.name)


def build_graph(model: onnx.ModelProto) -> Graph:
    """Translate an ONNX model into an untyped/declared IR graph (before the pass pipeline)."""
    model = _upgrade(model)
    try:
        model = shape_inference.infer_shapes(model)
    except Exception:  # noqa: BLE001  (custom QONNX ops make strict inference fail; it is optional)
        pass
    g = Graph(model.graph.name or "model")
    ctx = ImportContext(g, model.opset_import)
    problems: list[Problem] = []
    for init in model.graph.initializer:
        ctx.add_const(init.name, numpy_helper.to_array(init))
    _graph_inputs(model, g, problems)
    broken: set[str] = set()
    for k, node in enumerate(model.graph.node):
        name = node.name or f"{node.op_type}_{k}"
        node.name = name
        if any(i in broken for i in node.input):
            broken.update(node.output)          # already reported upstream
            continue
        try:
            known = all(i in g.tensors for i in node.input if i)
            if not known:
                missing = [i for i in node.input if i and i not in g.tensors]
                raise Unsupported(f"reads undefined tensor(s) {missing}")
            if node.op_type not in _KEEP_CONSTANT_OPS and all(
                    ctx.const(i) is not None for i in node.input if i) and node.domain in ("", "ai.onnx"):
                _fold_with_onnx_reference(model, node, ctx)
                continue
            handler = HANDLERS.get(node.op_type)
            if handler is None:
                raise Unsupported(f"op type {node.op_type!r} is not supported")
            handler(ctx, node)
        except Unsupported as exc:
            problems.append(Problem(name, node.op_type, str(exc)))
            broken.update(node.output)
    for vi in model.graph.output:
        if vi.name not in g.tensors and vi.name not in broken:
            problems.append(Problem(vi.name, "(output)", "no node produces this graph output"))
        g.outputs.append(vi.name)
    if problems:
        raise UnsupportedModelError(problems)
    return g


def load_onnx(model, input_type=None, default_type=None, precision=None) -> Graph:
    """Import an ONNX / QONNX model (path or ModelProto) as a typed :class:`~hgq_hls.Graph`.

    Quantizers in the model (QONNX Quant/BipolarQuant, QuantizeLinear/DequantizeLinear with
    power-of-two scales) declare types.  For float models, ``input_type`` types the inputs,
    ``default_type`` the weights, biases and each layer's output, and
    ``precision={node_name: FixedType | {"output"|"weight"|"bias"|"table_in"|"table_out": ...}}``
    overrides single nodes.  With none of these and no quantizers the graph stays untyped
    and :func:`hgq_hls.predict` runs it in float64.  Every other tensor gets the exact type
    precision inference sizes.  Problems raise :class:`~hgq_hls.UnsupportedModelError`
    listing every node that cannot be imported.
    """
    g = build_graph(_read(model))
    return compile_graph(g, input_type=input_type, default_type=default_type, precision=precision)
