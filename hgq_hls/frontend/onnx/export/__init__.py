"""``hh.save_qonnx``: a typed graph as a QONNX model (Quant nodes with power-of-two scales).

Every declared type becomes a QONNX ``Quant`` (zero point 0, scale ``2**-frac``, ``bits`` =
width, ``narrow`` for SAT_SYM): on each typed constant, after each node whose output type was
declared, and on typed graph inputs.  Types precision inference sized are not written: the
importer sizes them again, identically.  ``hh.load_onnx`` reads the file back to a graph that
computes bit for bit the same (the same graph, node for node, when it came from QONNX), and
any QONNX tool (qonnx's executor, FINN, hls4ml) can read the choices.

QONNX always saturates and knows five rounding modes, so WRAP/SAT_ZERO types and the RND /
RND_MIN_INF roundings cannot be written; each problem names its tensor.
"""

from __future__ import annotations

from pathlib import Path

import onnx
from onnx import TensorProto, helper

from ....errors import ArgumentError, Problem, ProjectExistsError, UnsupportedModelError
from ....ir import Graph
from ....safe_files import write_atomically
from ..builder import QONNX_DOMAIN
from .base import EXPORT, exporter
from .writer import QonnxWriter
from . import elementwise, linear, movement, pooling, quantize  # noqa: F401  (registration)

#: how per-element types are written
PER_ELEMENT_FORMS = ("portable", "compact")

__all__ = ["EXPORT", "check_model_destination", "exporter", "save_qonnx", "to_qonnx"]


def to_qonnx(g: Graph, per_element: str = "portable") -> onnx.ModelProto:
    """The QONNX model of a typed graph (raises UnsupportedModelError listing every problem).

    ``per_element`` chooses how per-element types are written: ``"portable"`` (Quant, Min,
    Max: any QONNX tool runs it) or ``"compact"`` (one Quant with per-element bit widths,
    weights included; only hgq_hls reads it).
    """
    if per_element not in PER_ELEMENT_FORMS:
        raise ArgumentError("per_element", f"{per_element!r}: choose one of {PER_ELEMENT_FORMS}")
    w = QonnxWriter(g, per_element)
    inputs = []
    for name in g.inputs:
        tensor = g.tensors[name]
        if tensor.type is None:
            inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", *tensor.shape]))
        else:
            raw = w.fresh(f"{name}_float")
            inputs.append(helper.make_tensor_value_info(raw, TensorProto.FLOAT, ["N", *tensor.shape]))
            w.quant(raw, tensor.type, name, name, name=w.fresh(f"Quant_{name}"))
    for node in g.topological():
        if node.op not in EXPORT:
            w.problems.append(Problem(node.name, node.op, "cannot be written as QONNX yet"))
            continue
        EXPORT[node.op](w, node)
    if w.problems:
        raise UnsupportedModelError(w.problems)
    outputs = [helper.make_tensor_value_info(t, TensorProto.FLOAT, None) for t in g.outputs]
    graph = helper.make_graph(w.nodes, g.name, inputs, outputs, initializer=w.inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                   helper.make_opsetid(QONNX_DOMAIN, 1)])


def save_qonnx(g: Graph, path, overwrite: bool = False, per_element: str = "portable") -> onnx.ModelProto:
    """Write ``g`` as a QONNX model to ``path`` (and return it); ``hh.load_onnx`` reads it back.

    Per-element types are written in the ``per_element`` form (see :func:`to_qonnx`).

    An existing file is replaced only with ``overwrite=True``, and never the model ``g`` was
    loaded from.  The file appears complete or not at all (written beside it, then renamed).
    """
    path = Path(path)
    check_model_destination(path, overwrite, getattr(g, "source", None))
    model = to_qonnx(g, per_element)
    write_atomically(path, model.SerializeToString())
    return model


def check_model_destination(path: Path, overwrite: bool, source=None) -> None:
    """Raise unless a model may be written to ``path``: never over ``source`` (the input
    model), nor over a directory, nor over an existing file without ``overwrite``."""
    if source is not None and path.exists() and path.resolve() == Path(source).resolve():
        raise ProjectExistsError(f"{path} is the input model (the graph was loaded from it); "
                                 "write to another file")
    if path.is_dir():
        raise ProjectExistsError(f"{path} is a directory; give a file name such as {path / 'model.onnx'}")
    if path.exists() and not overwrite:
        raise ProjectExistsError(f"{path} exists; pass overwrite=True (--force on the command line) "
                                 "to replace it")
