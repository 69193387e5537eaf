"""io_stream: the DATAFLOW processes and FIFOs of a streamed HLS top function.

Every activation tensor travels as a stream of pixels (:func:`stream_shape`).  Window layers
(Conv, MaxPool, AveragePool) consume their input pixel by pixel through a line buffer and
compute each output pixel as io_parallel computes it; elementwise layers compute one pixel per
iteration with their io_parallel template's own body; every other node runs its io_parallel
function on whole tensors between a read loop and a write loop, so every op the HLS backend
has streams, with the same arithmetic.  A tensor read by several consumers gets a fork process
(a DATAFLOW stream has one reader).

FIFO depths come from the graph: a stream out of a fork or into a node with several streamed
inputs holds its whole tensor (a join may read its inputs one after the other, and a fork must
never wait on its slowest branch, so no process waits on another forever); a stream along a
chain holds two pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...ir import Graph
from ...lowering.naming import Namer
from .context import LayerContext, ProjectTypes, View

#: the op -> streamed template of the window layers (line buffer, one output pixel per window)
WINDOW_TEMPLATES = {"Conv": "conv", "MaxPool": "max_pool", "AveragePool": "average_pool"}
#: io_parallel templates written with the frame's `each`/`at` (templates/hls/layers/_layer.h.j2):
#: elementwise, so they also render as a process that computes one pixel per iteration
PIXEL_TEMPLATES = {"copy", "relu", "neg", "prelu", "clip", "binary", "lookup", "threshold", "bipolar"}
#: FIFO depth along a chain: one pixel being written while one is read
CHAIN_DEPTH = 2


def stream_shape(shape) -> tuple[int, int]:
    """``(pixels, channels)`` of a per-sample tensor shape: ``(C, *spatial)`` streams
    ``prod(spatial)`` pixels of C channels in raster order; a vector (or scalar) is one pixel."""
    shape = tuple(int(d) for d in shape)
    if len(shape) >= 2:
        return int(np.prod(shape[1:], dtype=np.int64)), shape[0]
    return 1, max(int(np.prod(shape, dtype=np.int64)), 1)


def pixel_typedef(view: View) -> str:
    """The pixel type of a tensor's stream (``pixel_`` is a reserved prefix: no tensor's own)."""
    return f"pixel_{view.name}_t"


def stream_dict(view: View, name: str = "") -> dict:
    """What the stream templates need of one tensor's stream."""
    pixels, channels = stream_shape(view.shape)
    return dict(name=name, array=view.name, type=view.type, px=pixel_typedef(view), pixels=pixels,
                channels=channels, size=max(view.size, 1))


@dataclass
class Fifo:
    """One internal stream of the top function."""

    name: str
    px: str
    depth: int
    about: str


@dataclass
class StreamPlan:
    """The processes (rendered with their templates), FIFOs and calls of an io_stream top."""

    processes: list = field(default_factory=list)   # (template, context) per process
    fifos: list = field(default_factory=list)
    calls: list = field(default_factory=list)
    pixel_types: dict = field(default_factory=dict)  # pixel typedef -> (element typedef, channels)


def _window(ctx: LayerContext, context: dict) -> dict:
    """The line-buffer extents of a window layer: the padded rows and columns iterated (every input
    pixel and every window's corner lie inside) and the dilated window's height and width."""
    geo = context["geo"]
    keh, kew = (geo["kh"] - 1) * geo["dh"] + 1, (geo["kw"] - 1) * geo["dw"] + 1
    hp = max((geo["oh"] - 1) * geo["sh"] + keh, geo["pt"] + geo["h"])
    wp = max((geo["ow"] - 1) * geo["sw"] + kew, geo["pl"] + geo["w"])
    return dict(keh=keh, kew=kew, hp=hp, wp=wp)


def _pixelwise(g: Graph, node, activations) -> bool:
    """True when every output element depends on the same element of each streamed input only:
    one output, and every activation input of the output's shape (constants may broadcast)."""
    shape = tuple(g.tensors[node.outputs[0]].shape)
    return len(node.outputs) == 1 and all(tuple(g.tensors[t].shape) == shape for t in activations)


def plan_streams(g: Graph, types: ProjectTypes, layers: dict, reuse_factor: int) -> StreamPlan:
    """Plan the io_stream top of ``g``.

    ``layers`` maps each node name to its io_parallel ``(LayerContext, template, context)``.
    """
    plan = StreamPlan()
    procs, fifos = Namer(prefix="proc_"), Namer(prefix="fifo_")
    node_names = set(g.nodes)
    order = list(g.topological())
    multi_input = {node.name for node in order
                   if len({t for t in node.inputs if not g.tensors[t].is_const}) > 1}

    def view(t):
        v = types.view(t)
        plan.pixel_types[pixel_typedef(v)] = (v.type, stream_shape(v.shape)[1])
        return v

    # where each consumer of each tensor reads it: (tensor, reader) -> stream name
    reads: dict[tuple[str, str], str] = {}
    writes: dict[str, str] = {}
    forks = []
    for t in list(g.inputs) + [o for node in order for o in node.outputs]:
        v = view(t)
        readers = list(dict.fromkeys(node.name for node in order if t in node.inputs))
        sinks = readers + (["(port)"] if t in g.outputs else [])
        is_input = t in g.inputs
        if len(sinks) == 1 and not (is_input and sinks == ["(port)"]):
            if is_input or sinks == ["(port)"]:
                name = v.name    # the port itself
            else:
                name = fifos(t)
                depth = stream_shape(v.shape)[0] if sinks[0] in multi_input else CHAIN_DEPTH
                plan.fifos.append(Fifo(name, pixel_typedef(v), depth, f"{t!r}"))
            writes[t] = name
            reads[(t, sinks[0])] = name
            continue
        # a fork: the source is the input port or a FIFO the producer writes
        source = v.name if is_input else fifos(t)
        if not is_input:
            plan.fifos.append(Fifo(source, pixel_typedef(v), CHAIN_DEPTH, f"{t!r}, to its fork"))
        writes[t] = source
        copies = []
        for k, sink in enumerate(sinks):
            if sink == "(port)":
                copies.append(v.name)
                continue
            name = fifos(f"{t}\0{k}")    # "\0" becomes "_": the Namer keeps it apart from a tensor "t_k"
            plan.fifos.append(Fifo(name, pixel_typedef(v), stream_shape(v.shape)[0],
                                   f"{t!r}, copy {k} (for {sink!r})"))
            copies.append(name)
            reads[(t, sink)] = name
        forks.append((t, source, copies))

    fork_procs = {}
    for t, source, copies in forks:
        src = f"fork_{t}"
        while src in node_names:
            src += "_"
        fork_procs[t] = procs(src)
    for node in order:
        ctx, template, context = layers[node.name]
        proc = procs(node.name)
        activations = list(dict.fromkeys(t for t in node.inputs if not g.tensors[t].is_const))
        ins = [stream_dict(view(t), reads[(t, node.name)]) for t in activations]
        outs = [stream_dict(view(t), writes[t]) for t in node.outputs]
        common = dict(proc=proc, node=node, reuse_factor=reuse_factor)
        if node.op in WINDOW_TEMPLATES and template != "zero":
            plan.processes.append((f"stream/{WINDOW_TEMPLATES[node.op]}",
                                   dict(context, **common, **_window(ctx, context), x=ins[0], y=outs[0])))
        elif template in PIXEL_TEMPLATES and _pixelwise(g, node, activations):
            pixels, channels = stream_shape(g.tensors[node.outputs[0]].shape)
            plan.processes.append((f"layers/{template}",
                                   dict(context, **common, pixel=dict(pixels=pixels, channels=channels))))
        else:
            plan.processes.append((f"layers/{template}", context))
            plan.processes.append(("stream/buffered", dict(common, fn=ctx.fn, ins=ins, outs=outs)))
        plan.calls.append(dict(fn=proc, args=[s["name"] for s in ins + outs]))
        for t in node.outputs:
            if t in fork_procs:
                _, source, copies = next(f for f in forks if f[0] == t)
                plan.processes.append(("stream/clone", dict(proc=fork_procs[t], tensor=t,
                                                            s=stream_dict(view(t)), copies=len(copies))))
                plan.calls.append(dict(fn=fork_procs[t], args=[source] + copies))
    # forks of graph inputs run first (their consumers read the copies)
    head = [(t, s, c) for t, s, c in forks if t in g.inputs]
    for t, source, copies in reversed(head):
        plan.processes.insert(0, ("stream/clone", dict(proc=fork_procs[t], tensor=t,
                                                       s=stream_dict(view(t)), copies=len(copies))))
        plan.calls.insert(0, dict(fn=fork_procs[t], args=[source] + copies))
    return plan
