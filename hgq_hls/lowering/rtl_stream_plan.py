"""The plan of a streamed RTL design (``write_verilog(g, io="stream")``), read by the Verilog
writer and the estimator alike: stages, kernels, forks, FIFOs and the wires between them.

Each tensor streams as beats (:func:`~hgq_hls.lowering.stream_plan.stream_shape`: one pixel of
C channels per beat); each node becomes a stage (:func:`~hgq_hls.lowering.stream_kernels.rtl_kernel`):

- a **window** stage walks the padded raster with a line buffer and hands each completed window
  to one kernel instance (a Conv's or pool's logic for one output pixel);
- a **pixel** stage runs one pixel through its kernel (joins read a beat of every input at once);
- a **buffered** stage collects its whole inputs, runs the node's io_parallel logic and sends the
  result beat by beat.

Forks copy a beat to every reader through FIFOs, with the depths of
:func:`~hgq_hls.lowering.stream_plan.stream_edges` (a fork's copies hold a whole tensor, so no
branch ever waits on another).  The generic stages are in ``templates/verilog/stream/stages.v.j2``.
"""

from __future__ import annotations

from ..ir import Graph, Node
from .naming import Namer
from .ops import node_netlist, searching_ahead
from .pipeline import bus_bits
from .ports import activation_inputs, entry_type
from .stream_kernels import pad_value, rtl_kernel
from .stream_plan import CHAIN_DEPTH, PORT, stream_edges, stream_shape, window_extents

#: the generic stage modules (each named ``<project>_<stage>``)
STAGES = ("fifo", "fork", "pixel", "window", "collect", "emit")


def stream_port(g: Graph, t: str, name: str) -> dict:
    """A streamed port's description (manifest and testbench): beats, channels, bits."""
    ftype = entry_type(g, t)
    beats, channels = stream_shape(g.tensors[t].shape)
    return dict(name=name, tensor=t, shape=list(g.tensors[t].shape), size=beats * channels, beats=beats,
                channels=channels, bits=bus_bits(ftype), beat_width=channels * bus_bits(ftype),
                signed=ftype.signed, frac=ftype.frac, width=ftype.width, ctype=ftype.ctype())


def _bits_literal(bits: list[bool]) -> str:
    """A bit mask as a Verilog literal, bit 0 first in ``bits``."""
    return f"{len(bits)}'b" + "".join("1" if b else "0" for b in reversed(bits))


def _pad_literal(mantissa: int, bits: int, channels: int) -> str:
    value = 0
    for c in range(channels):
        value |= (mantissa & ((1 << bits) - 1)) << (c * bits)
    return f"{bits * channels}'h{value:x}"


class StreamTop:
    """Wires, assignments and instances of a streamed top, and the kernel netlists it needs."""

    def __init__(self, g: Graph, project: str):
        self.g, self.project = g, project
        self.names, self.wire_names, self.instance_names = Namer(), Namer(prefix="c_"), Namer(prefix="u_")
        self.module_names = Namer(prefix=f"{project}_")
        for stage in STAGES:                 # keys no node name can be: stage modules keep their names
            self.module_names(f" {stage}")
        self.listing = []       # per node: its kernel module, stage kind and netlist
        self.wires, self.assigns, self.instances = [], [], []
        self.kinds: dict[str, str] = {}
        self.kernels: dict[str, tuple] = {}       # node -> (graph, node) its kernel module lowers
        self.netlists: dict[str, object] = {}     # node -> its kernel's netlist
        self.sources: dict[str, tuple] = {}       # tensor -> (data, valid, ready) of its producer
        self.endpoints: dict[tuple, tuple] = {}   # (tensor, reader) -> the stream it reads
        self.inputs = [stream_port(g, t, self.names(t)) for t in g.inputs]
        self.outputs = [stream_port(g, t, self.names(t)) for t in g.outputs]
        nodes = g.topological()
        for t in g.inputs:
            self.sources[t] = self._stream(t, "input port")
        for node in nodes:
            for t in node.outputs:
                self.sources[t] = self._stream(t, f"{node.name} output")
        self.streams = stream_edges(g)            # tensor -> its sinks, fork and FIFOs
        self._connect()
        self._ports()
        staged = {node.name: rtl_kernel(g, node) for node in nodes}
        with searching_ahead(g, [n for n in nodes if staged[n.name][0] == "buffered"]):
            for node in nodes:
                self._stage(node, *staged[node.name])

    # ---- signals ---------------------------------------------------------------------------
    def bits(self, t: str) -> int:
        """Bits per element of tensor ``t`` on a bus."""
        return bus_bits(entry_type(self.g, t))

    def beat_width(self, t: str) -> int:
        """Bits of one beat of ``t``."""
        return stream_shape(self.g.tensors[t].shape)[1] * self.bits(t)

    def wire(self, key: str, width: int, why: str = "") -> str:
        """Declare a wire named after ``key``.  Keys join a tensor's or module's (unique) name to
        words by spaces, which no such name holds, so distinct keys never meet; the Namer
        numbers names that sanitize alike."""
        name = self.wire_names(key)
        self.wires.append(dict(name=name, width=width, why=why))
        return name

    def _stream(self, t: str, why: str, key: str | None = None) -> tuple:
        base = key or self.names(t)
        return (self.wire(f"{base} data", self.beat_width(t), why), self.wire(f"{base} valid", 1),
                self.wire(f"{base} ready", 1))

    def instance(self, module: str, key: str, params: list, ports: list, why: str = "",
                 node: str | None = None, facts: dict | None = None) -> None:
        """Instantiate ``module`` (a generic stage when ``module`` is in :data:`STAGES`) for ``node``
        (a fork or FIFO: the node producing its tensor); ``facts``: what the estimator needs beyond
        the parameters (a window's tap ages and whether it pads)."""
        name = f"{self.project}_{module}" if module in STAGES else module
        self.instances.append(dict(module=name, stage=module if module in STAGES else None,
                                   instance=self.instance_names(key), params=params, ports=ports, why=why,
                                   node=node, facts=facts or {}))

    def producer(self, t: str) -> str | None:
        """The node writing tensor ``t`` (None for a graph input)."""
        node = self.g.producer(t)
        return None if node is None else node.name

    def _fifo(self, t: str, source: tuple, depth: int, key: str, why: str) -> tuple:
        out = self._stream(t, why, key=key)
        self.instance("fifo", f"fifo {key}", [("W", self.beat_width(t)), ("DEPTH", depth)],
                      [("clk", "ap_clk"), ("rst", "ap_rst"), ("in_data", source[0]), ("in_valid", source[1]),
                       ("in_ready", source[2]), ("out_data", out[0]), ("out_valid", out[1]),
                       ("out_ready", out[2])], why=why, node=self.producer(t))
        return out

    # ---- forks, FIFOs and ports ------------------------------------------------------------
    def _connect(self) -> None:
        for t, streams in self.streams.items():
            source, n = self.sources[t], self.names(t)
            if not streams.sinks:
                self.assigns.append(dict(lhs=source[2], rhs="1'b1"))      # read by nothing
                continue
            if not streams.forked:
                (sink,) = streams.sinks
                deep = [e for e in streams.fifos if e.depth > CHAIN_DEPTH]
                self.endpoints[(t, sink)] = (self._fifo(t, source, deep[0].depth, f"{n} to join",
                                                        f"{t} into a join: {deep[0].depth} beats")
                                             if deep else source)
                continue
            copies = [self._stream(t, f"{t}, copy {k}", key=f"{n} copy{k}") for k in range(len(streams.sinks))]
            k_all = len(copies)
            data = self.wire(f"{n} fork data", k_all * self.beat_width(t))
            valid, ready = self.wire(f"{n} fork valid", k_all), self.wire(f"{n} fork ready", k_all)
            w = self.beat_width(t)
            for k, (cd, cv, cr) in enumerate(copies):
                self.assigns += [dict(lhs=cd, rhs=f"{data}[{(k + 1) * w - 1}:{k * w}]"),
                                 dict(lhs=cv, rhs=f"{valid}[{k}]")]
            self.assigns.append(dict(lhs=ready, rhs="{" + ", ".join(c[2] for c in reversed(copies)) + "}"))
            self.instance("fork", f"fork {n}", [("W", w), ("N", k_all)],
                          [("in_data", source[0]), ("in_valid", source[1]), ("in_ready", source[2]),
                           ("out_data", data), ("out_valid", valid), ("out_ready", ready)],
                          why=f"{t} read by {', '.join(streams.sinks)}", node=self.producer(t))
            depths = {e.sink: e.depth for e in streams.fifos if not e.to_fork}
            for k, (sink, copy) in enumerate(zip(streams.sinks, copies)):
                self.endpoints[(t, sink)] = copy if sink == PORT else \
                    self._fifo(t, copy, depths[sink], f"{n} fifo{k}", f"{t} to {sink}: {depths[sink]} beats")

    def _ports(self) -> None:
        for p in self.inputs:
            data, valid, ready = self.sources[p["tensor"]]
            self.assigns += [dict(lhs=data, rhs=f"{p['name']}_TDATA"), dict(lhs=valid, rhs=f"{p['name']}_TVALID"),
                             dict(lhs=f"{p['name']}_TREADY", rhs=ready)]
        for p in self.outputs:
            data, valid, ready = self.endpoints[(p["tensor"], PORT)]
            self.assigns += [dict(lhs=f"{p['name']}_TDATA", rhs=data), dict(lhs=f"{p['name']}_TVALID", rhs=valid),
                             dict(lhs=ready, rhs=f"{p['name']}_TREADY")]

    # ---- stages ----------------------------------------------------------------------------
    def _kernel(self, graph: Graph, node: Node, about: str) -> tuple[str, object]:
        module = self.module_names(node.name)
        net = node_netlist(graph, node, module)
        self.listing.append(dict(module=module, file=f"rtl/{module}.v", node=node.name, op=node.op,
                                 stage=self.kinds[node.name], about=about, netlist=net))
        return module, net

    def _stage(self, node: Node, kind: str, kernel) -> None:
        self.kinds[node.name] = kind
        about = f"{node.name} ({node.op}), {kind} kernel" if kind != "buffered" else \
            f"{node.name} ({node.op}), whole tensors"
        graph, kernel_node = self.kernels[node.name] = kernel if kernel is not None else (self.g, node)
        module, net = self._kernel(graph, kernel_node, about)
        self.netlists[node.name] = net
        getattr(self, f"_{kind}")(node, module, net)

    def _inputs_of(self, node: Node) -> list[tuple]:
        return [self.endpoints[(t, node.name)] for t in activation_inputs(self.g, node)]

    def _window(self, node: Node, module: str, net) -> None:
        g, (t,) = self.g, activation_inputs(self.g, node)
        (data, valid, ready), out = self._inputs_of(node)[0], self.sources[node.outputs[0]]
        ext = window_extents(g, node)
        geo, hp, wp = ext["geo"], ext["hp"], ext["wp"]
        rows_end = [r >= ext["keh"] - 1 and (r - ext["keh"] + 1) % geo["sh"] == 0
                    and (r - ext["keh"] + 1) // geo["sh"] < geo["oh"] for r in range(hp)]
        cols_end = [c >= ext["kew"] - 1 and (c - ext["kew"] + 1) % geo["sw"] == 0
                    and (c - ext["kew"] + 1) // geo["sw"] < geo["ow"] for c in range(wp)]
        held = max((ext["keh"] - 1) * wp + ext["kew"] - 1, 1)
        c, b = geo["c"], self.bits(t)
        window = self.wire(f"{module} window", net.inputs[0].width, f"{node.name}: one window of taps")
        result = self.wire(f"{module} result", net.outputs[0].width)
        self.instance(module, module, [], [("in0", window), ("out0", result)], why=f"{node.name} kernel",
                      node=node.name)
        rows_in = [geo["pt"] <= r < geo["pt"] + geo["h"] for r in range(hp)]
        cols_in = [geo["pl"] <= x < geo["pl"] + geo["w"] for x in range(wp)]
        # the age of each tap in the line buffer (0: the pixel arriving), as the stage wires them
        taps = {(geo["kh"] - 1 - i) * geo["dh"] * wp + (geo["kw"] - 1 - j) * geo["dw"]
                for i in range(geo["kh"]) for j in range(geo["kw"])}
        params = [("C", c), ("B", b), ("HP", hp), ("WP", wp), ("KH", geo["kh"]), ("KW", geo["kw"]),
                  ("DH", geo["dh"]), ("DW", geo["dw"]), ("LEN", held), ("RW", net.outputs[0].width),
                  ("ROW_IN", _bits_literal(rows_in)), ("COL_IN", _bits_literal(cols_in)),
                  ("ROW_END", _bits_literal(rows_end)), ("COL_END", _bits_literal(cols_end)),
                  ("PAD", _pad_literal(pad_value(g, node), b, c))]
        self.instance("window", f"{module} window", params,
                      [("clk", "ap_clk"), ("rst", "ap_rst"), ("in_data", data), ("in_valid", valid),
                       ("in_ready", ready), ("window", window), ("result", result), ("out_data", out[0]),
                       ("out_valid", out[1]), ("out_ready", out[2])],
                      why=f"{node.name}: line buffer of {held + 1} pixels over a {hp} x {wp} padded raster",
                      node=node.name, facts=dict(taps=taps, padded=not (all(rows_in) and all(cols_in))))

    def _pixel(self, node: Node, module: str, net) -> None:
        ins, out = self._inputs_of(node), self.sources[node.outputs[0]]
        result = self.wire(f"{module} result", net.outputs[0].width)
        self.instance(module, module, [], [(f"in{k}", s[0]) for k, s in enumerate(ins)] + [("out0", result)],
                      why=f"{node.name} kernel", node=node.name)
        n = len(ins)
        readies = self.wire(f"{module} in_ready", n)
        for k, s in enumerate(ins):
            self.assigns.append(dict(lhs=s[2], rhs=f"{readies}[{k}]"))
        self.instance("pixel", f"{module} stage", [("N", n), ("W", net.outputs[0].width)],
                      [("clk", "ap_clk"), ("rst", "ap_rst"),
                       ("in_valid", "{" + ", ".join(s[1] for s in reversed(ins)) + "}"), ("in_ready", readies),
                       ("result", result), ("out_data", out[0]), ("out_valid", out[1]), ("out_ready", out[2])],
                      node=node.name)

    def _buffered(self, node: Node, module: str, net) -> None:
        g = self.g
        acts = activation_inputs(g, node)
        fulls, tensors = [], []
        take = self.wire(f"{module} take", 1, "every output sent: collect the next inputs")
        for k, (t, (data, valid, ready)) in enumerate(zip(acts, self._inputs_of(node))):
            beats, channels = stream_shape(g.tensors[t].shape)
            tensor = self.wire(f"{module} in{k}", net.inputs[k].width, f"{node.name}: input {t}, whole")
            full = self.wire(f"{module} full{k}", 1)
            fulls.append(full)
            tensors.append(tensor)
            self.instance("collect", f"{module} collect{k}",
                          [("C", channels), ("B", self.bits(t)), ("BEATS", beats)],
                          [("clk", "ap_clk"), ("rst", "ap_rst"), ("in_data", data), ("in_valid", valid),
                           ("in_ready", ready), ("tensor", tensor), ("full", full), ("take", take)],
                          node=node.name)
        go = " & ".join(fulls) if fulls else "1'b1"
        results, dones = [], []
        for k, t in enumerate(node.outputs):
            results.append(self.wire(f"{module} out{k}", net.outputs[k].width, f"{node.name}: output {t}, whole"))
            dones.append(self.wire(f"{module} done{k}", 1))
        self.assigns.append(dict(lhs=take, rhs=" & ".join([f"({go})"] + dones)))
        self.instance(module, module, [], [(f"in{k}", s) for k, s in enumerate(tensors)]
                      + [(f"out{k}", r) for k, r in enumerate(results)], why=f"{node.name} on whole tensors",
                      node=node.name)
        for k, t in enumerate(node.outputs):
            beats, channels = stream_shape(g.tensors[t].shape)
            out = self.sources[t]
            self.instance("emit", f"{module} emit{k}",
                          [("C", channels), ("B", self.bits(t)), ("BEATS", beats)],
                          [("clk", "ap_clk"), ("rst", "ap_rst"), ("go", go), ("tensor", results[k]),
                           ("done", dones[k]), ("take", take), ("out_data", out[0]), ("out_valid", out[1]),
                           ("out_ready", out[2])], node=node.name)
