"""Precision inference: exact types for every tensor the model does not declare.

Interval arithmetic on the actual constant values sizes every product and accumulator, so
nothing overflows or loses a bit between declared quantizers.  A node whose output type is
declared (a quantizer, the default precision, a user override) records the exact type of
its result before the cast as ``attrs["acc_type"]``; ops that compute values inside (a window
sum) record their types too (:meth:`OpDef.inner_types`), and a float input read by one
quantizer type records the type it enters the firmware with (``Tensor.entry_type``).
"""

from __future__ import annotations

import numpy as np

from ..errors import Problem, UnsupportedModelError
from ..fixed import ElementTypes, FixedType, Interval, to_mantissa
from ..ir import Graph
from ..ir.ops import OPS
from ..ir.ops.quantize import quantize_interval


def _type_constants(g: Graph) -> None:
    for tensor in g.tensors.values():
        if tensor.is_const and tensor.type is None:
            # an empty constant (Resize's unused roi) holds no value: a zero-width type
            t = Interval.from_floats(tensor.value).fixed_type() if np.size(tensor.value) else FixedType(False, 0, 0)
            tensor.value = to_mantissa(tensor.value, t, name=tensor.name)
            tensor.type = t
        if tensor.is_const:
            tensor.interval = Interval.exact(tensor.value, tensor.type.frac)


def _check_inputs(g: Graph) -> None:
    problems = []
    for name in g.inputs:
        if g.tensors[name].type is None:
            for node in g.consumers(name):
                if not OPS[node.op].declares_type:     # quantizers convert the float themselves
                    problems.append(Problem(node.name, node.op, f"reads the untyped graph input {name!r}; "
                                            "pass input_type= (or quantize the input in the model)"))
    if problems:
        raise UnsupportedModelError(problems)


def _entry(node):
    """(type, divisor) an untyped input enters with when quantizer ``node`` reads it, else None."""
    if OPS[node.op].declares_type and OPS[node.op].typed_by_attr:      # Quantize, Requantize
        return node.attrs["type"], node.attrs.get("divisor")
    return None


def _record_entry_types(g: Graph) -> None:
    """An untyped input read only by quantizers of one type enters the firmware in that type.

    For per-element quantizers the host converts each element to its own type (exactly, as
    the quantizer would) and the port carries the container type: converting at the port in
    the container and again in firmware would round twice.  A float input read by a
    Requantize is divided and rounded on the host too (``entry_divisor``): the port carries
    its integer codes, and the firmware's Requantize only moves them.
    """
    for name in g.inputs:
        tensor = g.tensors[name]
        entries = [_entry(node) for node in g.consumers(name)]
        first = entries[0] if entries else None
        same = first is not None and all(
            e is not None and e[0] == first[0] and np.array_equal(e[1], first[1]) for e in entries)
        t, divisor = first if tensor.type is None and same else (None, None)
        tensor.entry_elements = t if isinstance(t, ElementTypes) else None
        tensor.entry_type = t.container() if isinstance(t, ElementTypes) else t
        tensor.entry_divisor = divisor


def infer_precision(g: Graph) -> tuple[Graph, bool]:
    """Give every tensor of a typed graph its exact type and value interval."""
    if not g.is_typed:
        return g, False
    _check_inputs(g)
    _record_entry_types(g)
    _type_constants(g)
    for name in g.inputs:
        t = g.tensors[name].type
        g.tensors[name].interval = None if t is None else Interval.from_type(t, g.tensors[name].shape)
    for node in g.topological():
        OPS[node.op].build_tables(node)
        ivs = [g.tensors[i].interval for i in node.inputs]
        if ivs[0] is None and OPS[node.op].typed_by_attr:     # float graph input: any value
            t = node.attrs["type"]
            outs = [t.interval() if isinstance(t, ElementTypes)
                    else Interval.from_type(t, g.tensors[node.outputs[0]].shape)]
        elif ivs[0] is None:                                  # Bipolar reads only the sign
            shape = g.tensors[node.inputs[0]].shape
            outs = OPS[node.op].interval(node, [Interval.exact(np.zeros(shape, dtype=np.int64), 0)])
        else:
            outs = OPS[node.op].interval(node, ivs)
        node.attrs.update(OPS[node.op].inner_types(node, [g.tensors[i].type for i in node.inputs],
                                                   [g.tensors[i].shape for i in node.inputs]))
        for name, iv in zip(node.outputs, outs):
            tensor = g.tensors[name]
            if g.casts_output(name):
                node.attrs["acc_type"] = iv.fixed_type()
                tensor.interval = quantize_interval(iv, tensor.type)
            elif OPS[node.op].typed_by_attr:
                t = node.attrs["type"]
                if isinstance(t, ElementTypes):
                    tensor.type, tensor.element_types = t.container(), t
                else:
                    tensor.type = t
                tensor.declared, tensor.interval = True, iv
            else:
                tensor.type, tensor.interval = iv.fixed_type(), iv
    return g, True
