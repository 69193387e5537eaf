"""hh.predict: run a Graph bit-exactly on integer mantissas, vectorized over the batch."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..fixed import cast, from_mantissa, quantize, to_mantissa
from ..errors import ExactnessError
from ..inputs import as_input_arrays
from ..ir import Graph
from .kernels import KERNELS


def _const_value(tensor):
    if tensor.type is None:
        return np.asarray(tensor.value, dtype=np.float64), None
    return tensor.value, tensor.type.frac


def _as_float(value):
    arr, frac = value
    if frac is None:
        return np.asarray(arr, dtype=np.float64)
    return from_mantissa(arr, frac)


def _output(graph: Graph, name: str, value) -> np.ndarray:
    try:
        return _as_float(value)
    except ExactnessError:
        raise ExactnessError(f"output {name!r} of type {graph.tensors[name].type} has values float64 "
                             "cannot hold exactly (more than 53 significant bits); declare a "
                             "narrower output type") from None


def _inputs(graph: Graph, x) -> dict:
    shapes = [graph.tensors[name].shape for name in graph.inputs]
    values = {}
    for name, arr in zip(graph.inputs, as_input_arrays(x, graph.inputs, shapes)):
        tensor = graph.tensors[name]
        if tensor.type is None:
            values[name] = (arr, None)
        else:
            values[name] = (to_mantissa(arr, tensor.type, name=name), tensor.type.frac)
    return values


def run(graph: Graph, x, round_floats: dict | None = None) -> dict:
    """Every tensor's value (``(array, frac)``) after running ``graph`` on inputs ``x``.

    ``round_floats={tensor: FixedType}`` rounds those float values (inputs, constants or
    results of an untyped graph) to their types as ap_fixed would, and keeps them in float:
    a float simulation of quantizing only some tensors.
    """
    def rounded(name, value):
        arr, frac = value
        if round_floats and name in round_floats and frac is None:
            return quantize(np.asarray(arr, dtype=np.float64), round_floats[name]), None
        return value

    values = {name: rounded(name, v) for name, v in _inputs(graph, x).items()}
    for name, tensor in graph.tensors.items():
        if tensor.is_const:
            values[name] = rounded(name, _const_value(tensor))
    for node in graph.topological():
        outs = KERNELS[node.op](node, [values[i] for i in node.inputs], graph)
        for name, (arr, frac) in zip(node.outputs, outs):
            t = graph.tensors[name].type
            if t is not None and frac is not None and (frac != t.frac or graph.casts_output(name)):
                # the kernel result is exact; the tensor's type decides rounding/overflow
                arr, frac = cast(arr, frac, t, name=name), t.frac
            values[name] = rounded(name, (arr, frac))
    return values


#: elements of the largest tensor per batch chunk of ``predict``: its intermediates (int64) then
#: stay in cache between kernels (a CNV-style CNN's 1,000-sample batch runs ~1.5x faster)
CHUNK_ELEMENTS = 1 << 20


def _batch_chunks(graph: Graph, x) -> list:
    """The input arrays split along the batch so no tensor of a chunk exceeds ``CHUNK_ELEMENTS``."""
    arrays = as_input_arrays(x, graph.inputs, [graph.tensors[n].shape for n in graph.inputs])
    largest = max((int(np.prod(t.shape, dtype=np.int64)) for t in graph.tensors.values() if not t.is_const),
                  default=1)
    rows = max(CHUNK_ELEMENTS // max(largest, 1), 1)
    batch = len(arrays[0])
    if batch <= rows:
        return [arrays]
    return [[a[i:i + rows] for a in arrays] for i in range(0, batch, rows)]


def predict(graph: Graph, x, trace: bool = False, exact: bool = False):
    """Bit-exact outputs of ``graph`` for inputs ``x`` (batch first), as float64.

    Returns one array, or a list for several outputs.  With ``trace=True`` it returns a dict
    of every tensor's value instead, for debugging layer by layer: float64, or for a tensor
    wider than float64 holds exactly (an exact BatchNorm product) object arrays of exact
    ``fractions.Fraction``.  With ``exact=True`` every returned array holds Fractions (an
    output too wide for float64 otherwise raises ``hh.ExactnessError``).
    """
    if not trace:
        chunks = _batch_chunks(graph, x)
        if len(chunks) > 1:
            parts = [predict(graph, chunk, exact=exact) for chunk in chunks]
            if len(graph.outputs) == 1:
                return np.concatenate(parts)
            return [np.concatenate([p[k] for p in parts]) for k in range(len(graph.outputs))]
    values = run(graph, x)
    if exact:
        convert = _as_fractions
    elif trace:
        convert = _as_float_or_fractions
    else:
        convert = None
    if trace:
        return {name: convert(v) for name, v in values.items() if not graph.tensors[name].is_const}
    outs = [convert(values[name]) if convert else _output(graph, name, values[name]) for name in graph.outputs]
    return outs[0] if len(outs) == 1 else outs


def _as_fractions(value) -> np.ndarray:
    """Exact values as an object array of ``fractions.Fraction`` (floats of a float graph too)."""
    arr, frac = value
    out = np.empty(np.shape(arr), dtype=object)
    flat = np.asarray(arr).reshape(-1)
    if frac is None:
        out.reshape(-1)[:] = [Fraction(float(v)) for v in flat]
    else:
        scale = Fraction(2) ** -int(frac)
        out.reshape(-1)[:] = [int(v) * scale for v in flat]
    return out


def _as_float_or_fractions(value) -> np.ndarray:
    """float64 where every value is exact in it, else exact Fractions (a trace never rounds)."""
    try:
        return _as_float(value)
    except ExactnessError:
        return _as_fractions(value)
