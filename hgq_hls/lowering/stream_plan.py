"""The structure of an io_stream design, shared by the HLS writer and the estimator: how each
tensor streams, what kind of process each node becomes, and the FIFOs between them.

Every activation tensor travels as pixels (:func:`stream_shape`).  A node becomes one of three
processes (:func:`process_kind`):

- ``"window"``: Conv, MaxPool, AveragePool read their input through a line buffer and compute
  one output pixel per completed window (one kernel instance, whatever the image size);
- ``"pixel"``: an elementwise node computes one pixel's channels per iteration;
- ``"buffered"``: any other node holds its whole inputs and runs its io_parallel form.

FIFO depths (:func:`stream_edges`): a stream out of a fork (a tensor read by several consumers)
or into a node with several streamed inputs holds its whole tensor (a join may read its inputs
one after the other, and a fork must never wait on its slowest branch, so no process waits on
another forever); a stream along a chain holds two pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..fixed import ElementTypes
from ..ir import Graph, Node
from .geometry import window_geometry

#: the HLS backend's io modes: one flattened port per tensor, or one AXI stream of pixels
HLS_IO = ("parallel", "stream")
#: the Verilog backend's io modes: one bus per tensor (ap_ctrl_hs), or AXI4-Stream stages
RTL_IO = ("parallel", "stream")
#: ops whose io_stream process is a line-buffer window
WINDOW_OPS = ("Conv", "MaxPool", "AveragePool")
#: elementwise ops whose io_stream process computes one pixel per iteration
PIXEL_OPS = ("Identity", "Quantize", "Requantize", "Relu", "Neg", "PRelu", "Clip", "Add", "Sub", "Mul",
             "Lookup", "Threshold", "Bipolar")
#: FIFO depth along a chain: one pixel being written while one is read
CHAIN_DEPTH = 2
#: the sink that stands for a graph output port
PORT = "(port)"


def stream_shape(shape) -> tuple[int, int]:
    """``(pixels, channels)`` of a per-sample tensor shape: ``(C, *spatial)`` streams
    ``prod(spatial)`` pixels of C channels in raster order; a vector (or scalar) is one pixel."""
    shape = tuple(int(d) for d in shape)
    if len(shape) >= 2:
        return int(np.prod(shape[1:], dtype=np.int64)), shape[0]
    return 1, max(int(np.prod(shape, dtype=np.int64)), 1)


def uniform_cast(g: Graph, node: Node) -> bool:
    """True when Quantize ``node`` is one assignment per element to one type (or only moves a
    graph input the host already converted per element)."""
    t = node.attrs["type"]
    return not isinstance(t, ElementTypes) or g.tensors[node.inputs[0]].entry_elements == t


def host_divides(g: Graph, node: Node) -> bool:
    """True when Requantize ``node`` reads a float graph input: the host divided it already."""
    return g.tensors[node.inputs[0]].type is None


def activation_inputs(g: Graph, node: Node) -> list[str]:
    """The node's streamed inputs, each once, in argument order."""
    return list(dict.fromkeys(t for t in node.inputs if not g.tensors[t].is_const))


def _all_zero_width(g: Graph, node: Node) -> bool:
    return all(g.tensors[o].type is not None and g.tensors[o].type.width == 0 for o in node.outputs)


def process_kind(g: Graph, node: Node) -> str:
    """``"window"``, ``"pixel"`` or ``"buffered"``: what ``node`` becomes in io_stream."""
    if _all_zero_width(g, node):
        return "buffered"
    if node.op in WINDOW_OPS:
        return "window"
    shape = tuple(g.tensors[node.outputs[0]].shape)
    elementwise = len(node.outputs) == 1 and all(tuple(g.tensors[t].shape) == shape
                                                  for t in activation_inputs(g, node))
    if node.op in PIXEL_OPS and elementwise:
        if node.op == "Quantize" and not uniform_cast(g, node):
            return "buffered"        # a cast per run of element types, by flat index
        if node.op == "Requantize" and not host_divides(g, node):
            return "buffered"        # divisions grouped by divisor over flat indices
        return "pixel"
    return "buffered"


def window_extents(g: Graph, node: Node) -> dict:
    """The window geometry of a window node plus its line buffer's extents: the dilated window
    (``keh`` x ``kew``) and the padded raster iterated (``hp`` x ``wp``: every input pixel and
    every window's bottom-right corner lie inside)."""
    x = g.tensors[node.inputs[0]]
    kernel = node.attrs["kernel_shape"] if node.op != "Conv" else g.tensors[node.inputs[1]].shape[2:]
    geo = window_geometry(x.shape, node.attrs, kernel)
    keh, kew = (geo["kh"] - 1) * geo["dh"] + 1, (geo["kw"] - 1) * geo["dw"] + 1
    hp = max((geo["oh"] - 1) * geo["sh"] + keh, geo["pt"] + geo["h"])
    wp = max((geo["ow"] - 1) * geo["sw"] + kew, geo["pl"] + geo["w"])
    return dict(geo=geo, keh=keh, kew=kew, hp=hp, wp=wp)


@dataclass(frozen=True)
class Edge:
    """One FIFO: ``tensor`` from its producer (or its fork) to ``sink`` (a node name, or
    :data:`PORT`), or, when ``to_fork``, from the producer into the tensor's fork."""

    tensor: str
    sink: str
    depth: int
    to_fork: bool = False
    copy: int | None = None      # the fork's output index


@dataclass(frozen=True)
class TensorStreams:
    """How one activation tensor streams: its sinks, whether it is forked, and its FIFOs (a port
    at either end is no FIFO: the producer or consumer uses the port itself)."""

    tensor: str
    sinks: tuple
    forked: bool
    fifos: tuple


def stream_edges(g: Graph) -> dict[str, TensorStreams]:
    """Per activation tensor (graph inputs and node outputs, in dataflow order), its streams."""
    order = list(g.topological())
    joins = {node.name for node in order if len(activation_inputs(g, node)) > 1}
    out = {}
    for t in list(g.inputs) + [o for node in order for o in node.outputs]:
        pixels = stream_shape(g.tensors[t].shape)[0]
        readers = list(dict.fromkeys(node.name for node in order if t in node.inputs))
        sinks = tuple(readers + ([PORT] if t in g.outputs else []))
        is_input = t in g.inputs
        if len(sinks) == 1 and not (is_input and sinks == (PORT,)):
            fifos = () if is_input or sinks == (PORT,) else \
                (Edge(t, sinks[0], pixels if sinks[0] in joins else CHAIN_DEPTH),)
            out[t] = TensorStreams(t, sinks, False, fifos)
            continue
        fifos = [] if is_input else [Edge(t, "(fork)", CHAIN_DEPTH, to_fork=True)]
        fifos += [Edge(t, sink, pixels, copy=k) for k, sink in enumerate(sinks) if sink != PORT]
        out[t] = TensorStreams(t, sinks, True, tuple(fifos))
    return out
