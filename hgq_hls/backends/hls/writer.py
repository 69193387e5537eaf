"""``write_hls``: a typed Graph as a complete Vitis HLS project.

The writer plans every file as text first (nothing touches the disk until the whole
project rendered), then writes it atomically: a failure never leaves half a project.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np

from ...version import __version__
from ...errors import ArgumentError, Problem, UnsupportedModelError
from ...fixed import FixedType
from ...inputs import positive_float, positive_int
from ...ir import Graph
from ...reference import predict
from ...templating import render
from ...verification import stimulus
from ...lowering.naming import GENERATED_PREFIXES, RESERVED
from ...lowering.ports import check_reuse_factor, entry_type, require_fixed_point
from ..project_dir import GRAPH_FILE, write_project
from .context import LayerContext, ProjectTypes
from .layers import LAYERS
from ...lowering.stream_plan import HLS_IO
from .stream import pixel_typedef, plan_streams, stream_shape

#: literals per line in weight headers
_PER_LINE = 8
#: a double's significand: an integer whose odd part has at most this many bits is exact
_EXACT_DOUBLE_BITS = 53


def _fits_double(m: int) -> bool:
    """True when ``m`` times a power of two is a double: its odd part has at most 53 bits
    (trailing zero bits are the exponent's)."""
    odd = m >> ((m & -m).bit_length() - 1) if m else 0
    return abs(odd) < 2 ** _EXACT_DOUBLE_BITS


def exact_literal(mantissa: int, frac: int) -> str:
    """A C++ double literal equal to ``mantissa * 2**-frac`` exactly."""
    m = int(mantissa)
    if not _fits_double(m):
        raise ValueError(f"mantissa {mantissa}: its odd part has more than {_EXACT_DOUBLE_BITS} bits, "
                         "no exact double literal")
    return repr(float(np.ldexp(float(m), -frac)))


def typed_literal(mantissa: int, frac: int, type_name: str) -> str:
    """A C++ expression of ``type_name`` equal to ``mantissa * 2**-frac`` exactly: one double
    literal, or for an odd part wider than a double a sum of ``type_name`` pieces of 52 bits
    (each between 0 and the value, so each fits the type; the sum is exact in ap_fixed)."""
    m = int(mantissa)
    if _fits_double(m):
        return exact_literal(m, frac)
    sign, rest, pieces, shift = (-1 if m < 0 else 1), abs(m), [], 0
    while rest:
        chunk = rest & ((1 << 52) - 1)
        if chunk:
            pieces.append(f"{type_name}({exact_literal(sign * (chunk << shift), frac)})")
        rest >>= 52
        shift += 52
    return "(" + " + ".join(reversed(pieces)) + ")"


def _lines(flat: list[str]) -> list[list[str]]:
    """Literals ``_PER_LINE`` to a line (an empty array still gets one 0)."""
    return [flat[k:k + _PER_LINE] for k in range(0, len(flat), _PER_LINE)] or [["0"]]


def _rows(mantissas, frac: int, type_name: str) -> list[list[str]]:
    return _lines([typed_literal(int(m), frac, type_name) for m in np.asarray(mantissas).reshape(-1)])


def _port(types: ProjectTypes, tensor: str, name: str | None = None) -> dict:
    view = types.view(tensor)
    return dict(name=name or view.name, tensor=tensor, type=view.type, size=view.size,
                shape=list(view.shape), ctype=view.fixed.ctype(), frac=view.fixed.frac,
                signed=view.fixed.signed, width=view.fixed.width)


#: widest type whose mantissas the C-simulation build loads from long long integers
_MANTISSA_BITS = 64


def _mantissa_rows(mantissas, t: FixedType) -> list[list[str]] | None:
    """The mantissas as integer literals, or None when a type wider than a long long holds them."""
    if t.width > _MANTISSA_BITS:
        return None
    return _lines([str(int(m)) for m in np.asarray(mantissas).reshape(-1)])


def _weight_header(name: str, type_name: str, t: FixedType, shape, values, source: str) -> str:
    return render("hls/weights.h.j2", guard=f"{name.upper()}_H_", name=name, type=type_name,
                  ctype=t.ctype(), shape=list(shape), size=max(int(np.prod(shape, dtype=np.int64)), 1),
                  source=source, rows=_rows(values, t.frac, type_name), mantissa_rows=_mantissa_rows(values, t))


class _Plan:
    """Every file of the project as text, built from the graph."""

    def __init__(self, g: Graph, project: str, reuse_factor: int):
        self.g, self.project, self.rf = g, project, reuse_factor
        self.types = ProjectTypes(g)
        self.files: dict[str, str] = {}
        for name in g.inputs:
            self.types.port_types[name] = entry_type(g, name)
        # an output read inside the design is computed into a local buffer, then copied to
        # its port: an ap_vld output port cannot be read back
        readers = Counter(t for node in g.nodes.values() for t in node.inputs)
        self.locals = {name: f"local_{self.types.view(name).name}" for name in g.outputs if readers[name]}

    def array(self, tensor: str) -> str:
        """The C array that holds ``tensor`` inside the top function."""
        return self.locals.get(tensor) or self.types.view(tensor).name

    def layer_code(self):
        """Render each node's function and the top-level calls; ``self.layers`` keeps each node's
        context for io_stream's processes."""
        functions, calls, weights, problems = [], [], {}, []
        self.layers = {}
        for node in self.g.topological():
            ctx = LayerContext(node, self.types, self.rf)
            if node.op not in LAYERS:
                problems.append(Problem(node.name, node.op, "the HLS backend has no template for it"))
                continue
            if all(self.g.tensors[o].type is not None and self.g.tensors[o].type.width == 0
                   for o in node.outputs):
                template, context = "zero", ctx.base()
            else:
                template, context = LAYERS[node.op](ctx)
            self.layers[node.name] = (ctx, template, context)
            functions.append(render(f"hls/layers/{template}.h.j2", **context))
            activations = [t for t in _unique(node.inputs) if not self.g.tensors[t].is_const]
            calls.append(dict(fn=ctx.fn, args=[self.array(t) for t in activations + node.outputs]))
            for t, view in zip(node.inputs, ctx.ins):
                if view.is_const:
                    weights[view.name] = _weight_header(view.name, view.type, view.fixed, view.shape,
                                                        self.g.tensors[t].value, f"tensor {t!r}")
            for table in ctx.tables:
                weights[table["name"]] = _weight_header(
                    table["name"], table["out_t"], table["out_fixed"], (len(table["values"]),),
                    table["values"], f"lookup table of {node.name!r}")
        if problems:
            raise UnsupportedModelError(problems)
        return functions, calls, weights

    def build(self, tb_inputs, tb_outputs, io: str = "parallel") -> dict:
        """Render every file; returns the manifest."""
        g, project = self.g, self.project
        functions, calls, weights = self.layer_code()
        inputs = [_port(self.types, t) for t in g.inputs]
        outputs = [_port(self.types, t) for t in g.outputs]
        common = dict(project=project, inputs=inputs, outputs=outputs, io=io)
        if io == "stream":
            streams = plan_streams(g, self.types, self.layers, self.rf)
            functions = [render(f"hls/{template}.h.j2", **context) for template, context in streams.processes]
            for port in inputs + outputs:
                view = self.types.view(port["tensor"])
                port.update(px=pixel_typedef(view), pixels=stream_shape(view.shape)[0],
                            channels=stream_shape(view.shape)[1])
            top = render("hls/stream/top.cpp.j2", streams=streams.fifos, calls=streams.calls,
                         reuse_factor=self.rf, **common)
            header = render("hls/stream/top.h.j2", guard=f"{project.upper()}_H_", **common)
            self._common_files(common, functions, weights, tb_inputs, tb_outputs, header, top,
                               pixel_types=list(streams.pixel_types.items()))
            self.files["csim/hls_stream.h"] = render("hls/stream/hls_stream.h.j2")
            self.files["firmware/hgq_pixel.h"] = render("hls/stream/pixel.h.j2")
            return dict(common, n_tb=len(tb_inputs[0]) if tb_inputs else 0)
        produced = {t for node in g.nodes.values() for t in node.outputs}
        ports = {p["name"] for p in inputs + outputs}
        buffers = []
        for t in produced:
            if self.array(t) not in ports:
                view = self.types.view(t)
                buffers.append(dict(name=self.array(t), tensor=t, type=view.type, size=view.size,
                                    ctype=view.fixed.ctype()))
        order = {name: k for k, name in enumerate(g.tensors)}
        buffers.sort(key=lambda b: order[b["tensor"]])
        copies = [dict(port=p["name"], buffer=self.locals[p["tensor"]], size=p["size"])
                  for p in outputs if p["tensor"] in self.locals]
        header = render("hls/top.h.j2", guard=f"{project.upper()}_H_", **common)
        top = render("hls/top.cpp.j2", buffers=buffers, calls=calls, copies=copies, reuse_factor=self.rf,
                     **common)
        self._common_files(common, functions, weights, tb_inputs, tb_outputs, header, top)
        return dict(common, n_tb=len(tb_inputs[0]) if tb_inputs else 0)

    def _common_files(self, common, functions, weights, tb_inputs, tb_outputs, header, top,
                      pixel_types=()):
        """Every file but the io-specific extras, from the rendered top function and its header."""
        project = self.project
        widths = [t.width for t in self.types.typedefs.values()]
        self.files = {
            f"firmware/{project}.h": header,
            f"firmware/{project}.cpp": top,
            "firmware/layers.h": render("hls/layers.h.j2", functions=functions),
            "firmware/hgq_util.h": render("hls/hgq_util.h.j2"),
            "firmware/parameters.h": render("hls/parameters.h.j2", headers=[f"{n}.h" for n in weights]),
            "firmware/defines.h": render("hls/defines.h.j2", guard="DEFINES_H_",
                                         types=list(self.types.typedefs.items()), pixel_types=list(pixel_types),
                                         max_width=2 * max(widths, default=0) + 8),
            f"tb_{project}.cpp": render("hls/tb.cpp.j2", **common),
            "csim/bridge.cpp": render("hls/bridge.cpp.j2", **common),
            "tb_data/tb_input.dat": _data_lines(tb_inputs),
            "tb_data/tb_output.dat": _data_lines(tb_outputs),
        }
        for name, text in weights.items():
            self.files[f"firmware/weights/{name}.h"] = text


def _unique(names):
    return list(dict.fromkeys(names))


def _data_lines(arrays) -> str:
    flat = np.concatenate([np.asarray(a, dtype=np.float64).reshape(len(a), -1) for a in arrays], axis=1)
    return "".join(" ".join(repr(float(v)) for v in row) + "\n" for row in flat)


#: widest graph output a project can write (its testbench and verify compare float64 values)
MAX_OUTPUT_WIDTH = 53


def check_arguments(g: Graph, io: str, reuse_factor: int, project_name: str, ios=HLS_IO) -> None:
    """Reject settings and graphs no backend can write (shared by the HLS and Verilog writers,
    each with the ``io`` modes it has)."""
    if io not in ios:
        raise ArgumentError("io", f"{io!r}: the io modes are " + ", ".join(repr(m) for m in ios)
                            + " (parallel: every tensor at once, II = reuse_factor; stream: pixels "
                            "through FIFOs, line-buffer convolutions)")
    check_reuse_factor(reuse_factor)
    if not isinstance(project_name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", project_name) \
            or project_name.startswith(GENERATED_PREFIXES) or project_name.lower() in RESERVED:
        raise ArgumentError("project_name", f"{project_name!r} must be a C identifier that is not a "
                            f"C++/Verilog keyword nor starts with {', '.join(GENERATED_PREFIXES)}")
    require_fixed_point(g)
    wide = [Problem(name, "(output)", f"{g.tensors[name].type} is {g.tensors[name].type.width} bits wide; "
                    f"firmware outputs are compared through float64, at most {MAX_OUTPUT_WIDTH} bits: "
                    "declare a narrower output type (a final quantizer)")
            for name in g.outputs if g.tensors[name].type.width > MAX_OUTPUT_WIDTH]
    if wide:
        raise UnsupportedModelError(wide)


def write_hls(g: Graph, outdir, part: str = "xcvu9p-flga2104-2-e", clock_ns: float = 5.0,
              io: str = "parallel", reuse_factor: int = 1, project_name: str = "myproject",
              force: bool = False, tb_samples: int = 100):
    """Write ``g`` as a Vitis HLS project in ``outdir`` and return its :class:`HLSProject`.

    ``outdir`` may be new, empty or a previous hgq_hls project; anything else needs
    ``force=True``.  The testbench data (``tb_samples`` samples) comes from ``hh.predict``.
    """
    from .project import HLSProject

    check_arguments(g, io, reuse_factor, project_name)
    clock_ns = positive_float(clock_ns, "clock_ns")
    if not isinstance(part, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", part):
        raise ArgumentError("part", f"{part!r} is not an FPGA part name such as xcvu9p-flga2104-2-e")
    tb_inputs = stimulus(g, positive_int(tb_samples, "tb_samples"), seed=0)
    tb_outputs = predict(g, tb_inputs if len(tb_inputs) > 1 else tb_inputs[0])
    tb_outputs = tb_outputs if isinstance(tb_outputs, list) else [tb_outputs]
    plan = _Plan(g, project_name, reuse_factor)
    common = plan.build(tb_inputs, tb_outputs, io)
    readme = render("hls/README.md.j2", part=part, clock_ns=clock_ns, reuse_factor=reuse_factor,
                    version=__version__, **common)
    plan.files["README.md"] = readme
    plan.files["build_prj.tcl"] = render("hls/build_prj.tcl.j2", project=project_name, part=part,
                                         clock_ns=clock_ns)
    plan.files["vivado_synth.tcl"] = render("hls/vivado_synth.tcl.j2", project=project_name, part=part,
                                            clock_ns=clock_ns)
    manifest = dict(kind="hls", hgq_hls_version=__version__, project=project_name, part=part,
                    clock_ns=clock_ns, io=io, reuse_factor=reuse_factor,
                    inputs=common["inputs"], outputs=common["outputs"], graph=GRAPH_FILE)
    write_project(outdir, force, plan.files, g, manifest)
    return HLSProject(Path(outdir), manifest, graph=g)
