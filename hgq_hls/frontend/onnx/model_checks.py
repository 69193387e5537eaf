"""Checks on the ONNX model itself, before any handler runs.

Reading: a file that is not an ONNX model (garbage, text, truncated, empty) is one
:class:`~hgq_hls.errors.ModelFileError`.  Structure: the graph has inputs and outputs, every
node writes at least one tensor, every tensor has one producer, every node's domain is one
the importer implements, and the inputs an op requires are present.  All problems are
returned together so the user sees every one at once.
"""

from __future__ import annotations

from pathlib import Path

import onnx
from google.protobuf.message import DecodeError

from ...errors import ArgumentError, ModelFileError, Problem

#: the domains of the standard ONNX operators
ONNX_DOMAINS = ("", "ai.onnx")
#: QONNX's custom ops and the domains QONNX, FINN and Brevitas exports write them in
QONNX_OPS = {"Quant": 4, "IntQuant": 4, "BipolarQuant": 2, "Trunc": 5, "MultiThreshold": 2}
QONNX_DOMAINS = ("qonnx.custom_op.general", "finn.custom_op.general", "onnx.brevitas")
_DOMAIN_HINTS = {
    "qonnx.custom_op.channels_last": "channels-last layouts are not implemented; export the "
                                     "model channels-first (NCHW), as QONNX's own tools start from",
}


def read_model(model) -> onnx.ModelProto:
    """A ModelProto from a path or a ModelProto; a file that is no ONNX model is refused."""
    if isinstance(model, onnx.ModelProto):
        proto = model
        where = "the given ModelProto"
    elif isinstance(model, (str, Path)):
        path = Path(model)
        try:
            if not path.exists():
                raise FileNotFoundError(f"no ONNX model at {path}")
            if path.is_dir():
                raise ModelFileError(path, "it is a directory")
            data = path.read_bytes()
        except FileNotFoundError:
            raise
        except OSError as exc:                 # a name too long, no permission, ...
            raise ModelFileError(path, f"it cannot be read ({exc.strerror or exc})") from None
        if not data:
            raise ModelFileError(path, "the file is empty")
        try:
            proto = onnx.load_model_from_string(data)
        except (DecodeError, ValueError, RuntimeError) as exc:
            raise ModelFileError(path, f"protobuf could not decode it ({exc})") from None
        where = path
    else:
        raise ArgumentError("model", f"expected a path or an onnx.ModelProto, got {type(model).__name__}")
    if not proto.HasField("graph") or (not proto.graph.node and not proto.graph.output):
        raise ModelFileError(where, "it holds no graph")
    return proto


def _schema(op_type: str, domain: str, opset: int):
    try:
        return onnx.defs.get_schema(op_type, opset, domain)
    except (onnx.defs.SchemaError, TypeError, OverflowError):     # TypeError: a corrupt opset number
        return None


def _required_inputs(node, opset: int) -> int:
    """How many leading inputs the op requires (0 when its schema is unknown)."""
    if node.domain in QONNX_DOMAINS:
        return QONNX_OPS.get(node.op_type, 0)
    schema = _schema(node.op_type, "", opset)
    return 0 if schema is None else schema.min_input


def domain_problem(node) -> str | None:
    """Why the importer cannot read a node of this domain/op pair, or None."""
    if node.domain in ONNX_DOMAINS:
        if node.op_type in QONNX_OPS:
            return (f"{node.op_type} is a QONNX op but the node is in the standard ONNX domain; "
                    f"write it in domain {QONNX_DOMAINS[0]!r}")
        return None
    if node.domain in QONNX_DOMAINS:
        if node.op_type not in QONNX_OPS:
            return f"op {node.op_type!r} of domain {node.domain!r} is not supported"
        return None
    hint = _DOMAIN_HINTS.get(node.domain, "only standard ONNX ops and QONNX's "
                             f"{sorted(QONNX_OPS)} ({QONNX_DOMAINS[0]}) are implemented")
    return f"domain {node.domain!r} is not implemented: {hint}"


def node_name(node, k: int) -> str:
    """The node's name, or a stable one made from its op and position."""
    return node.name or f"{node.op_type}_{k}"


def structural_problems(model: onnx.ModelProto, opset: int) -> list[Problem]:
    """Every structural problem of the graph (empty list when sound)."""
    graph, problems = model.graph, []
    initializers = {t.name for t in graph.initializer}
    inputs = [vi.name for vi in graph.input if vi.name not in initializers]
    if not inputs:
        problems.append(Problem("(graph)", "(graph)", "the graph has no inputs"))
    if not graph.output:
        problems.append(Problem("(graph)", "(graph)", "the graph has no outputs"))
    producer = {name: "(initializer)" for name in initializers}
    producer.update({name: "(graph input)" for name in inputs})
    for k, node in enumerate(graph.node):
        name = node_name(node, k)
        if not any(node.output):
            problems.append(Problem(name, node.op_type, "the node has no outputs"))
        for out in node.output:
            if not out:
                continue
            if out in producer:
                problems.append(Problem(name, node.op_type, f"tensor {out!r} is already written by "
                                        f"{producer[out]}; every tensor needs exactly one producer"))
            else:
                producer[out] = name
        required = _required_inputs(node, opset)
        present = [i for i in node.input[:required] if i]
        if len(present) < required:
            problems.append(Problem(name, node.op_type, f"needs {required} input(s), got "
                                    f"{len(present)} (inputs {list(node.input)})"))
    return problems
