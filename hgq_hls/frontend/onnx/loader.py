"""load_onnx: an ONNX / QONNX model becomes a typed hgq_hls Graph."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference, version_converter

from ...errors import ArgumentError, Problem, UnsupportedModelError
from ...fixed import FixedType
from ...ir import Graph, Tensor
from ...passes import compile_graph
from ..input_types import input_types
from .batch_layout import canonical_node
from .constant_folding import fold_constant_node
from .context import ImportContext
from .model_checks import ONNX_DOMAINS, QONNX_OPS, domain_problem, node_name, read_model, structural_problems
from .handlers import HANDLERS, Unsupported

MIN_OPSET = 13
#: ops whose handler must see constant inputs itself (they produce typed constants)
_KEEP_CONSTANT_OPS = {"Quant", "IntQuant", "BipolarQuant", "Trunc", "QuantizeLinear",
                      "DequantizeLinear"}


def _default_opset(model) -> int:
    for imp in model.opset_import:
        if imp.domain in ONNX_DOMAINS:
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


def _dims(vi) -> list:
    """A value_info's dimensions (None where symbolic or unknown)."""
    return [d.dim_value if d.HasField("dim_value") else None for d in vi.type.tensor_type.shape.dim]


def _per_sample(dims) -> tuple | None:
    """The shape after the batch axis, or None unless every such dimension is known."""
    if dims is None or len(dims) < 1 or any(d is None or d <= 0 for d in dims[1:]):
        return None
    return tuple(dims[1:])


def _graph_inputs(model, g: Graph, problems: list) -> None:
    initializers = {t.name for t in model.graph.initializer}
    for vi in model.graph.input:
        if vi.name in initializers:     # old exporters list weights as inputs too
            continue
        shape = _per_sample(_dims(vi))
        if shape is None:
            problems.append(Problem(vi.name, "(input)", f"shape {_dims(vi)} is not static beyond the "
                                    "batch axis; export with fixed feature dimensions"))
            continue
        g.add_tensor(Tensor(vi.name, shape))
        g.inputs.append(vi.name)


def _inferred_shapes(model) -> dict:
    return {vi.name: _dims(vi) for vi in list(model.graph.value_info) + list(model.graph.output)
            if vi.type.HasField("tensor_type") and vi.type.tensor_type.HasField("shape")}


def _placeholders(node, ctx, shapes: dict) -> set[str]:
    """Stand-ins for the outputs of a node that failed, so checking can go on past it.

    A failed computation on constants leaves a zero constant of the right shape (a failed
    weight quantizer must not make its layer complain about a non-constant weight); an
    activation keeps the shape ONNX inferred.  Returns the outputs whose shape is unknown.
    """
    g, unknown = ctx.graph, set()
    constant = all(ctx.const(i) is not None for i in node.input if i)
    source = g.tensors.get(node.input[0]) if node.input else None
    for out in [o for o in node.output if o and o not in g.tensors]:
        if node.op_type in QONNX_OPS and source is not None:
            shape = source.shape                           # quantizers keep the shape
        else:
            full = shapes.get(out)
            shape = tuple(full) if constant and full and None not in full else _per_sample(full)
        if shape is None:
            unknown.add(out)
        elif constant:
            ctx.add_const(out, np.zeros(shape))
        else:
            g.add_tensor(Tensor(out, shape))
    return unknown


def _initializer_problem(value: np.ndarray) -> str | None:
    if value.dtype.kind not in "biuf":
        return f"has dtype {value.dtype}; only numbers are supported"
    if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
        return "holds NaN or infinity, which no fixed-point type can hold"
    return None


def _import_node(model, node, ctx) -> None:
    """Run the node's handler (or fold it if every input is a constant)."""
    problem = domain_problem(node)
    if problem:
        raise Unsupported(problem)
    missing = [i for i in node.input if i and i not in ctx.graph.tensors]
    if missing:
        raise Unsupported(f"reads undefined tensor(s) {missing}")
    if node.op_type not in _KEEP_CONSTANT_OPS and node.domain in ONNX_DOMAINS and all(
            ctx.const(i) is not None for i in node.input if i):
        fold_constant_node(model, node, ctx)
        return
    handler = HANDLERS.get(node.op_type)
    if handler is None:
        raise Unsupported(f"op type {node.op_type!r} is not supported")
    try:
        node, batch_axes = canonical_node(ctx, node)
        if node is not None:
            handler(ctx, node)
        ctx.batch_axes.update({t: b for t, b in batch_axes.items() if b})
    except Unsupported:
        raise
    except (ValueError, TypeError, LookupError, ArithmeticError) as exc:
        # a rule no handler check caught: still name the node, never a bare traceback
        raise Unsupported(f"cannot be imported ({type(exc).__name__}: {exc})") from None


def build_graph(model: onnx.ModelProto) -> Graph:
    """Translate an ONNX model into an untyped/declared IR graph (before the pass pipeline).

    Checking goes on past a node that cannot be imported: its outputs keep the shape ONNX
    shape inference gives them (or become unknown), so every problem of the graph is
    reported in one :class:`~hgq_hls.UnsupportedModelError`.
    """
    model = _upgrade(model)
    problems: list[Problem] = structural_problems(model, _default_opset(model))
    if problems:
        raise UnsupportedModelError(problems)
    try:
        model = shape_inference.infer_shapes(model)
    except Exception:  # noqa: BLE001  (custom QONNX ops make strict inference fail; it is optional)
        pass
    shapes = _inferred_shapes(model)
    g = Graph(model.graph.name or "model")
    ctx = ImportContext(g, model.opset_import)
    bad: set[str] = set()           # initializers already reported
    for init in model.graph.initializer:
        try:
            value = numpy_helper.to_array(init)
        except Exception as exc:  # noqa: BLE001  (a corrupt tensor payload)
            problems.append(Problem(init.name, "(initializer)", f"cannot be read: {exc}"))
            continue
        reason = _initializer_problem(value)
        if reason:
            problems.append(Problem(init.name, "(initializer)", reason))
            bad.add(init.name)
            value = np.zeros(value.shape)                   # checking goes on past it
        ctx.add_const(init.name, value)
    _graph_inputs(model, g, problems)
    unknown: set[str] = set()       # outputs of failed nodes with no known shape
    for k, node in enumerate(model.graph.node):
        name = node_name(node, k)
        node.name = name
        if any(i in unknown for i in node.input):
            # nothing is known about the input: check only what needs no shape
            reason = domain_problem(node) or (None if node.op_type in HANDLERS else
                                              f"op type {node.op_type!r} is not supported")
            if reason:
                problems.append(Problem(name, node.op_type, reason))
            unknown.update(node.output)
            continue
        if any(i in bad for i in node.input):
            unknown.update(_placeholders(node, ctx, shapes))   # its constant is reported already
            continue
        try:
            _import_node(model, node, ctx)
        except Unsupported as exc:
            problems.append(Problem(name, node.op_type, str(exc)))
            unknown.update(_placeholders(node, ctx, shapes))
    for vi in model.graph.output:
        if vi.name not in g.tensors and vi.name not in unknown:
            problems.append(Problem(vi.name, "(output)", "no node produces this graph output"))
        elif ctx.batch_axes.get(vi.name):
            problems.append(Problem(vi.name, "(output)", f"its batch is on axis {ctx.batch_axes[vi.name]} "
                                    "(a Transpose moved it and nothing moves it back); firmware outputs are "
                                    "batch-first: end the model batch-first"))
        g.outputs.append(vi.name)
    if problems:
        raise UnsupportedModelError(problems)
    return g


def load_onnx(model, input_type=None, default_type=None, precision=None, thresholds: bool = True,
              calib=None) -> Graph:
    """Import an ONNX / QONNX model (path or ModelProto) as a typed :class:`~hgq_hls.Graph`.

    Quantizers in the model (QONNX Quant/BipolarQuant, QuantizeLinear/DequantizeLinear with
    power-of-two scales) declare types.  For float models, ``input_type`` types the inputs (one
    type, a dict {input name: type}, or ``"auto"`` with calibration samples ``calib``: each
    input gets the smallest type holding them exactly if it fits ``default_type``'s width or 16
    bits, else that many bits covering their range, rounding and saturating),
    ``default_type`` the weights, biases and each layer's output, and
    ``precision={node_name: FixedType | {"output"|"weight"|"bias"|"table_in"|"table_out": ...}}``
    overrides single nodes.  With none of these and no quantizers the graph stays untyped
    and :func:`hgq_hls.predict` runs it in float64.  Every other tensor gets the exact type
    precision inference sizes.  Problems raise :class:`~hgq_hls.UnsupportedModelError`
    listing every node that cannot be imported.  With ``thresholds`` (the default) a monotone
    chain from an accumulator to a quantizer of at most 16 levels that holds a float scale or a
    BatchNorm (``Mul``/``Add``/``Relu``/``Requantize``) becomes one exact ``Threshold`` node.
    """
    default_type = None if default_type is None else FixedType.coerce(default_type, "default_type")
    if precision is not None and not isinstance(precision, dict):
        raise ArgumentError("precision", f"expected a dict {{node name: FixedType or {{key: FixedType}}}}, "
                            f"got {type(precision).__name__}")
    if isinstance(input_type, str) and input_type != "auto" or isinstance(input_type, FixedType):
        input_type = FixedType.coerce(input_type, "input_type")     # a bad spelling fails before reading
    g = build_graph(read_model(model))
    g.source = Path(model).absolute() if isinstance(model, (str, Path)) else None
    types = input_types(input_type, list(g.inputs), [g.tensors[n].shape for n in g.inputs], calib,
                        width=default_type.width if default_type else None)
    return compile_graph(g, input_type=types, default_type=default_type, precision=precision,
                         thresholds=thresholds)
