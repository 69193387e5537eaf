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

import math
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ...errors import Problem, ProjectExistsError, UnsupportedModelError
from ...fixed import FixedType, from_mantissa
from ...fixed.modes import QONNX_SPELLING
from ...ir import Graph
from ...registry import registrar
from ...safe_files import write_atomically
from .builder import QONNX_DOMAIN

#: IR op -> fn(writer, node) emitting ONNX nodes whose last output is ``out``
EXPORT = {}


exporter = registrar(EXPORT, "the QONNX writer")


class _Writer:
    """Collects ONNX nodes and initializers while walking the graph."""

    def __init__(self, g: Graph):
        self.g, self.nodes, self.inits, self.problems = g, [], [], []
        self.names = set(g.tensors) | {n.name for n in g.nodes.values()}
        self.consts: dict[str, str] = {}

    def fresh(self, base: str) -> str:
        name, k = base, 1
        while name in self.names:
            name, k = f"{base}_{k}", k + 1
        self.names.add(name)
        return name

    def init(self, base: str, value) -> str:
        name = self.fresh(base)
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op, inputs, output, name=None, domain="", **attrs) -> str:
        self.nodes.append(helper.make_node(op, inputs, [output], name=name or self.fresh(f"{op}_{output}"),
                                           domain=domain, **attrs))
        return output

    def quant_attrs(self, t: FixedType, where: str, constant: bool = False):
        """(scale, bits, attributes) of the QONNX Quant meaning type ``t``, or None (a problem)."""
        if constant:
            # a constant's rounding and overflow never act (its values are on its grid and in
            # its range), so any mode QONNX can spell describes it
            t = t.replace(rounding=t.rounding if t.rounding in QONNX_SPELLING else "RND_CONV",
                          overflow=t.overflow if t.overflow in ("SAT", "SAT_SYM") and t.signed else "SAT")
        reasons = []
        if t.width < 1:
            reasons.append("a width-0 (pruned) type has no QONNX Quant")
        if t.overflow not in ("SAT", "SAT_SYM"):
            reasons.append(f"QONNX Quant saturates; {t.overflow} cannot be written")
        if t.overflow == "SAT_SYM" and not t.signed:
            reasons.append("an unsigned SAT_SYM type has no QONNX Quant")
        if t.signed and t.width == 1:
            reasons.append("a signed 1-bit QONNX Quant means bipolar")
        if t.rounding not in QONNX_SPELLING:
            reasons.append(f"QONNX has no rounding mode for {t.rounding} "
                           f"(it has {', '.join(sorted(QONNX_SPELLING))})")
        if reasons:
            self.problems.append(Problem(where, str(t), "; ".join(reasons)))
            return None
        attrs = dict(signed=int(t.signed), narrow=int(t.overflow == "SAT_SYM"),
                     rounding_mode=QONNX_SPELLING[t.rounding])
        return np.float32(math.ldexp(1.0, -t.frac)), np.float32(t.width), attrs

    def quant(self, x: str, t: FixedType, out: str, where: str, name=None, constant: bool = False) -> str:
        """``out = Quant(x)`` meaning type ``t``."""
        q = self.quant_attrs(t, where, constant)
        if q is None:
            return self.node("Identity", [x], out)
        scale, bits, attrs = q
        zero = self.init(f"{out}_zeropt", np.float32(0))
        return self.node("Quant", [x, self.init(f"{out}_scale", scale), zero, self.init(f"{out}_bits", bits)],
                         out, name=name, domain=QONNX_DOMAIN, **attrs)

    def const(self, name: str) -> str:
        """A constant input: a float initializer, quantized when the tensor is typed."""
        if name in self.consts:
            return self.consts[name]
        tensor = self.g.tensors[name]
        values = (np.asarray(tensor.value, dtype=np.float64) if tensor.type is None
                  else from_mantissa(tensor.value, tensor.type.frac))
        if not np.array_equal(values.astype(np.float32).astype(np.float64), values):
            self.problems.append(Problem(name, str(tensor.type), "its values need more than float32"))
        if not tensor.declared:
            # the importer types an undeclared constant from its values: the same type again
            self.consts[name] = self.init(name, values.astype(np.float32))
            return self.consts[name]
        raw = self.init(f"{name}_float", values.astype(np.float32))
        self.consts[name] = self.quant(raw, tensor.type, name, name, name=self.fresh(f"Quant_{name}"),
                                       constant=True)
        return self.consts[name]

    def arg(self, name: str) -> str:
        """An input of a node: constants are materialized, activations passed by name."""
        return self.const(name) if self.g.tensors[name].is_const else name

    def result(self, node, emit) -> None:
        """Emit the node's op into a raw output, then its declared output type as a Quant."""
        out = node.outputs[0]
        tensor = self.g.tensors[out]
        if tensor.declared and node.op != "Quantize" and tensor.type is not None:
            raw = self.fresh(f"{out}_raw")
            emit(raw)
            self.quant(raw, tensor.type, out, out, name=self.fresh(f"{node.name}_out"))
        else:
            emit(out)


def to_qonnx(g: Graph) -> onnx.ModelProto:
    """The QONNX model of a typed graph (raises UnsupportedModelError listing every problem)."""
    w = _Writer(g)
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


def save_qonnx(g: Graph, path, overwrite: bool = False) -> onnx.ModelProto:
    """Write ``g`` as a QONNX model to ``path`` (and return it); ``hh.load_onnx`` reads it back.

    An existing file is replaced only with ``overwrite=True``, and never the model ``g`` was
    loaded from.  The file appears complete or not at all (written beside it, then renamed).
    """
    path = Path(path)
    check_model_destination(path, overwrite, getattr(g, "source", None))
    model = to_qonnx(g)
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


# ---- one exporter per IR op ---------------------------------------------------------------
@exporter("Quantize")
def _quantize(w, node):
    w.quant(node.inputs[0], node.attrs["type"], node.outputs[0], node.name, name=node.name)


@exporter("Identity")
def _identity(w, node):
    w.node("Identity", [w.arg(node.inputs[0])], node.outputs[0], name=node.name)


@exporter("Dense")
def _dense(w, node):
    x = node.inputs[0]
    args = [x] + [w.const(t) for t in node.inputs[1:]]
    if len(w.g.tensors[x].shape) == 1:
        w.result(node, lambda out: w.node("Gemm", args, out, name=node.name))
    elif len(args) == 2:
        w.result(node, lambda out: w.node("MatMul", args, out, name=node.name))
    else:
        w.problems.append(Problem(node.name, node.op, "a Dense with bias on a rank > 1 input has no "
                                  "single ONNX node (MatMul + Add would import as two nodes)"))


@exporter("Conv")
def _conv(w, node):
    a = node.attrs
    wt = w.g.tensors[node.inputs[1]]
    args = [node.inputs[0]] + [w.const(t) for t in node.inputs[1:]]
    w.result(node, lambda out: w.node("Conv", args, out, name=node.name, kernel_shape=list(wt.shape[2:]),
                                      strides=list(a["strides"]), pads=list(a["pads"]),
                                      dilations=list(a["dilations"]), group=a["group"]))


@exporter("Relu", "Add", "Sub", "Mul", "PRelu")
def _elementwise(w, node):
    args = [w.arg(t) for t in node.inputs]
    w.result(node, lambda out: w.node(node.op, args, out, name=node.name))


@exporter("Clip")
def _clip(w, node):
    args, rest = [node.inputs[0]], iter(node.inputs[1:])
    for present in node.attrs["bounds"]:
        args.append(w.arg(next(rest)) if present else "")
    w.result(node, lambda out: w.node("Clip", args, out, name=node.name))


@exporter("MaxPool")
def _max_pool(w, node):
    a = node.attrs
    w.result(node, lambda out: w.node("MaxPool", [node.inputs[0]], out, name=node.name,
                                      kernel_shape=list(a["kernel_shape"]), strides=list(a["strides"]),
                                      pads=list(a["pads"]), dilations=list(a["dilations"])))


@exporter("Reshape")
def _reshape(w, node):
    shape = w.init(f"{node.name}_shape", np.array([0, *node.attrs["shape"]], dtype=np.int64))
    w.result(node, lambda out: w.node("Reshape", [node.inputs[0], shape], out, name=node.name))


@exporter("Transpose")
def _transpose(w, node):
    perm = [0] + [p + 1 for p in node.attrs["perm"]]
    w.result(node, lambda out: w.node("Transpose", [node.inputs[0]], out, name=node.name, perm=perm))


@exporter("Concat")
def _concat(w, node):
    args = [w.arg(t) for t in node.inputs]
    w.result(node, lambda out: w.node("Concat", args, out, name=node.name, axis=node.attrs["axis"] + 1))


@exporter("Pad")
def _pad(w, node):
    pads = list(node.attrs["pads"])
    n = len(pads) // 2
    onnx_pads = w.init(f"{node.name}_pads", np.array([0, *pads[:n], 0, *pads[n:]], dtype=np.int64))
    args = [node.inputs[0], onnx_pads, w.arg(node.inputs[1])]
    w.result(node, lambda out: w.node("Pad", args, out, name=node.name, mode="constant"))


@exporter("AveragePool")
def _average_pool(w, node):
    a = node.attrs
    scale = w.g.tensors[node.inputs[1]]
    if scale.declared:
        w.problems.append(Problem(node.name, node.op, "its divisor has a declared type (a default_type "
                                  "rounded 1/n), which ONNX's AveragePool cannot express"))
        return
    # one divisor everywhere: padding counts (or there is none); one per position: it does not
    include = int(np.asarray(scale.value).size == 1)
    w.result(node, lambda out: w.node("AveragePool", [node.inputs[0]], out, name=node.name,
                                      kernel_shape=list(a["kernel_shape"]), strides=list(a["strides"]),
                                      pads=list(a["pads"]), count_include_pad=include))


@exporter("Bipolar")
def _bipolar(w, node):
    scale = w.init(f"{node.name}_scale", np.float32(math.ldexp(1.0, -node.attrs["frac"])))
    w.node("BipolarQuant", [node.inputs[0], scale], node.outputs[0], name=node.name, domain=QONNX_DOMAIN)
