"""The kernels of a streamed RTL design: a node restricted to one pixel or one window, as a
graph of its own, so that the ordinary lowering (:func:`~hgq_hls.lowering.ops.node_netlist`)
gives the one instance of logic every pixel passes through.

- A **pixel kernel** is an elementwise node on ``(C, 1, ...)``: its constants and per-element
  attributes (a Threshold's levels, a Quantize's element types, a Requantize's divisors) are
  sliced to one pixel, which is only possible when they are the same at every pixel.
- A **window kernel** is a Conv, MaxPool or AveragePool on one window ``(C, kh, kw)`` (the taps
  only: dilation is the line buffer's business) with no padding and stride 1, giving one output
  pixel.  A padded tap is fed the value that makes it vanish: zero for sums, the input type's
  minimum for a maximum.  An AveragePool whose divisor changes at the border
  (``count_include_pad=0``) has no single kernel.

The inputs' per-element types are not carried into a kernel: every pixel's values travel in the
tensor's container type, which holds them exactly, so the kernel is sized for the container.
When no kernel exists, :func:`rtl_kernel` says ``"buffered"`` and the node runs whole.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..fixed import ElementTypes
from ..ir import Graph, Node
from .ports import activation_inputs, entry_type
from .stream_plan import process_kind, window_extents

#: per op, the attributes that hold one value per element (broadcasting to the input)
PER_ELEMENT_ATTRS = {"Quantize": ("type",), "Requantize": ("divisor",),
                     "Threshold": ("thresholds", "base", "step")}


def _pixel_shape(shape) -> tuple:
    """``(C, 1, ...)`` for a tensor with spatial axes; a vector is one pixel already."""
    shape = tuple(int(d) for d in shape)
    return shape if len(shape) < 2 else (shape[0],) + (1,) * (len(shape) - 1)


def _one_pixel(values: np.ndarray, shape: tuple, trailing: int = 0):
    """``values`` broadcast to ``shape`` (plus ``trailing`` axes of its own), cut to its first
    pixel, or None when it differs between pixels."""
    values = np.asarray(values, dtype=object)
    tail = values.shape[values.ndim - trailing:] if trailing else ()
    lead = values.shape[:values.ndim - trailing]
    while len(lead) > len(shape) and lead[0] == 1:      # a constant's leading batch axes
        values, lead = values.reshape(values.shape[1:]), lead[1:]
    try:
        full = np.broadcast_to(values, tuple(shape) + tail)
    except ValueError:
        return None
    if len(shape) < 2:
        return full
    cut = full[(slice(None),) + (slice(0, 1),) * (len(shape) - 1)]
    return cut if bool(np.all(full == cut)) else None


def _one_pixel_types(t: ElementTypes, shape: tuple) -> ElementTypes | None:
    parts = [_one_pixel(a, shape) for a in (t.signed, t.width, t.integer)]
    if any(p is None for p in parts):
        return None
    signed, width, integer = (np.asarray(p, dtype=np.int64) for p in parts)
    return ElementTypes(signed.astype(bool), width, integer, t.rounding, t.overflow, tuple(signed.shape))


def _port_tensor(g: Graph, t: str, shape: tuple):
    """Activation ``t`` as a kernel's input: its port type, no per-element refinement."""
    tensor = g.tensors[t]
    return dataclasses.replace(tensor, shape=shape, interval=None, element_types=None, entry_elements=None,
                               entry_divisor=None, type=tensor.type, entry_type=entry_type(g, t))


def _kernel_graph(g: Graph, node: Node, inputs: dict, attrs: dict, out_shape: tuple) -> tuple[Graph, Node]:
    sub = Graph(f"{g.name}_{node.name}_kernel")
    for t in node.inputs:
        sub.add_tensor(inputs[t])
    for t in node.outputs:
        sub.add_tensor(dataclasses.replace(g.tensors[t], shape=out_shape, interval=None, element_types=None))
    sub.inputs = [t for t in activation_inputs(g, node)]
    sub.outputs = list(node.outputs)
    kernel = sub.add_node(Node(node.name, node.op, list(node.inputs), list(node.outputs), attrs))
    return sub, kernel


def pixel_kernel(g: Graph, node: Node) -> tuple[Graph, Node] | None:
    """Elementwise ``node`` on one pixel, or None if its constants differ between pixels."""
    shape = tuple(g.tensors[node.outputs[0]].shape)
    pixel = _pixel_shape(shape)
    inputs = {}
    for t in node.inputs:
        tensor = g.tensors[t]
        if not tensor.is_const:
            inputs[t] = _port_tensor(g, t, pixel)
            continue
        value = _one_pixel(tensor.value, shape)
        if value is None:
            return None
        inputs[t] = dataclasses.replace(tensor, value=value, shape=tuple(value.shape), interval=None)
    attrs = dict(node.attrs)
    for key in PER_ELEMENT_ATTRS.get(node.op, ()):
        value = attrs.get(key)
        if isinstance(value, ElementTypes):
            attrs[key] = _one_pixel_types(value, shape)
        elif value is not None and not np.isscalar(value):
            attrs[key] = _one_pixel(value, shape, trailing=1 if key == "thresholds" else 0)
        if attrs[key] is None:
            return None
    return _kernel_graph(g, node, inputs, attrs, pixel)


def window_kernel(g: Graph, node: Node) -> tuple[Graph, Node] | None:
    """Window ``node`` on one window of taps (``(C, kh, kw)``, or ``(C, k)`` in 1-D), giving one
    output pixel; None for an AveragePool whose divisor depends on the position."""
    x = node.inputs[0]
    geo = window_extents(g, node)["geo"]
    one_d = len(g.tensors[x].shape) == 2
    window = (geo["c"], geo["kw"]) if one_d else (geo["c"], geo["kh"], geo["kw"])
    dims = len(window) - 1
    attrs = dict(node.attrs, strides=(1,) * dims, pads=(0,) * (2 * dims), dilations=(1,) * dims)
    inputs = {x: _port_tensor(g, x, window)}
    for t in node.inputs[1:]:
        tensor = g.tensors[t]
        inputs[t] = tensor
        if node.op == "AveragePool":        # the divisor: one per output position
            flat = np.asarray(tensor.value, dtype=object).reshape(-1)
            if not bool(np.all(flat == flat[0])):
                return None
            inputs[t] = dataclasses.replace(tensor, value=flat[:1].reshape((1,) * np.ndim(tensor.value)),
                                            shape=(1,) * np.ndim(tensor.value))
    out = tuple(g.tensors[node.outputs[0]].shape)
    return _kernel_graph(g, node, inputs, attrs, (out[0],) + (1,) * dims)


def pad_value(g: Graph, node: Node) -> int:
    """The mantissa a padded tap of window ``node`` reads: one that changes no result."""
    return entry_type(g, node.inputs[0]).min_mantissa if node.op == "MaxPool" else 0


def rtl_kernel(g: Graph, node: Node) -> tuple[str, tuple[Graph, Node] | None]:
    """``(kind, kernel)``: the node's process kind in a streamed RTL design and, for a window or
    pixel process, its kernel graph and node (a node with no kernel runs ``"buffered"``)."""
    kind = process_kind(g, node)
    if kind == "pixel" and len(g.tensors[node.outputs[0]].shape) >= 2:
        kernel = pixel_kernel(g, node)
    elif kind == "window":
        kernel = window_kernel(g, node)
    else:
        return "buffered", None
    return ("buffered", None) if kernel is None else (kind, kernel)
