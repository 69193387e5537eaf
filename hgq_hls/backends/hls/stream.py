"""io_stream: the DATAFLOW processes and FIFOs of a streamed HLS top function, rendered from the
structure :mod:`hgq_hls.lowering.stream_plan` plans (which the estimator reads too).

Window layers render ``templates/hls/stream/<op>.h.j2`` (a line buffer, each output pixel
computed as io_parallel computes it); elementwise layers render their io_parallel template in
its pixel frame (the same body, one pixel per iteration); every other node runs its io_parallel
function on whole tensors between a read loop and a write loop (``stream/buffered.h.j2``), so
every op the HLS backend has streams, with the same arithmetic.  A tensor read by several
consumers gets a fork process (``stream/clone.h.j2``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...ir import Graph
from ...lowering.naming import Namer
from ...lowering.stream_plan import PORT, activation_inputs, process_kind, stream_edges, stream_shape, \
    window_extents
from .context import ProjectTypes, View

#: the op -> streamed template of the window layers
WINDOW_TEMPLATES = {"Conv": "conv", "MaxPool": "max_pool", "AveragePool": "average_pool"}
#: io_parallel templates written with the frame's `each`/`at` (templates/hls/layers/_layer.h.j2),
#: so they also render as a process that computes one pixel per iteration
PIXEL_TEMPLATES = {"copy", "relu", "neg", "prelu", "clip", "binary", "lookup", "threshold", "bipolar"}


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


def plan_streams(g: Graph, types: ProjectTypes, layers: dict, reuse_factor: int) -> StreamPlan:
    """Plan the io_stream top of ``g``.

    ``layers`` maps each node name to its io_parallel ``(LayerContext, template, context)``.
    """
    plan = StreamPlan()
    procs, fifos = Namer(prefix="proc_"), Namer(prefix="fifo_")
    order = list(g.topological())

    def view(t):
        v = types.view(t)
        plan.pixel_types[pixel_typedef(v)] = (v.type, stream_shape(v.shape)[1])
        return v

    # the stream each consumer reads and each producer writes: the port itself at either end
    reads: dict[tuple[str, str], str] = {}
    writes: dict[str, str] = {}
    forks = {}
    streams = stream_edges(g)
    for t, ts in streams.items():
        v = view(t)
        for edge in ts.fifos:
            # "\0" becomes "_": the Namer keeps a fork's copy apart from a tensor named "<t>_<k>"
            name = fifos(t if edge.copy is None else f"{t}\0{edge.copy}")
            about = f"{t!r}" + (", to its fork" if edge.to_fork else "") + \
                ("" if edge.copy is None else f", copy {edge.copy} (for {edge.sink!r})")
            plan.fifos.append(Fifo(name, pixel_typedef(v), edge.depth, about))
            if edge.to_fork or not ts.forked:
                writes[t] = name
            if not edge.to_fork:
                reads[(t, edge.sink)] = name
        port = v.name
        if t in g.inputs:
            writes[t] = port
        if not ts.forked and ts.sinks == (PORT,):
            writes[t] = port
        if not ts.forked and t in g.inputs:
            reads[(t, ts.sinks[0])] = port
        if ts.forked:
            src = f"fork_{t}"
            while src in g.nodes:
                src += "_"
            copies = [port if sink == PORT else reads[(t, sink)] for sink in ts.sinks]
            forks[t] = (procs(src), copies)

    def fork_call(t):
        proc, copies = forks[t]
        return (("stream/clone", dict(proc=proc, tensor=t, s=stream_dict(view(t)), copies=len(copies))),
                dict(fn=proc, args=[writes[t]] + copies))

    for t in g.inputs:                     # forks of graph inputs run first
        if t in forks:
            process, call = fork_call(t)
            plan.processes.append(process)
            plan.calls.append(call)
    for node in order:
        ctx, template, context = layers[node.name]
        proc = procs(node.name)
        ins = [stream_dict(view(t), reads[(t, node.name)]) for t in activation_inputs(g, node)]
        outs = [stream_dict(view(t), writes[t]) for t in node.outputs]
        common = dict(proc=proc, node=node, reuse_factor=reuse_factor)
        kind = process_kind(g, node)
        if kind == "window":
            extents = window_extents(g, node)
            plan.processes.append((f"stream/{WINDOW_TEMPLATES[node.op]}",
                                   dict(context, **common, **extents, x=ins[0], y=outs[0])))
        elif kind == "pixel":
            if template not in PIXEL_TEMPLATES:
                raise AssertionError(f"{node.name} ({node.op}): template {template!r} has no pixel frame")
            pixels, channels = stream_shape(g.tensors[node.outputs[0]].shape)
            plan.processes.append((f"layers/{template}",
                                   dict(context, **common, pixel=dict(pixels=pixels, channels=channels))))
        else:
            plan.processes.append((f"layers/{template}", context))
            plan.processes.append(("stream/buffered", dict(common, fn=ctx.fn, ins=ins, outs=outs)))
        plan.calls.append(dict(fn=proc, args=[s["name"] for s in ins + outs]))
        for t in node.outputs:
            if t in forks:
                process, call = fork_call(t)
                plan.processes.append(process)
                plan.calls.append(call)
    return plan
