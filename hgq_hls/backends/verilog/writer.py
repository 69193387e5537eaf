"""``write_verilog``: a typed Graph as synthesizable Verilog-2005 (one module per layer + top)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ...version import __version__
from ...ir import Graph
from ...templating import render
from ...lowering.naming import Namer
from ..project_dir import GRAPH_FILE, write_project
from .emit import layer_text
from ...lowering.ports import entry_type
from ...lowering.ops import node_netlist, searching_ahead
from ...lowering.pipeline import TopPlan, bus_bits
from ...lowering.stream_plan import RTL_IO



def _port(g: Graph, t: str, name: str) -> dict:
    tensor, ftype = g.tensors[t], entry_type(g, t)
    size = int(np.prod(tensor.shape, dtype=np.int64))
    return dict(name=name, tensor=t, shape=list(tensor.shape), size=size, bits=bus_bits(ftype),
                bus_width=size * bus_bits(ftype), signed=ftype.signed, frac=ftype.frac,
                width=ftype.width, ctype=ftype.ctype())


def plan_rtl(g: Graph, project: str, pipeline: str) -> tuple[dict, dict]:
    """Every file's text and the manifest."""
    names = Namer()
    module_names = Namer(prefix=f"{project}_")
    files, modules, listing = {}, {}, []
    nodes = g.topological()
    with searching_ahead(g, nodes):
        for node in nodes:
            name = modules[node.name] = module_names(node.name)
            about = f"{node.name} ({node.op})"
            layer_files = layer_text(node_netlist(g, node, name), about)
            files.update({f"rtl/{m}.v": text for m, text in layer_files.items()})
            listing.append(dict(module=name, file=f"rtl/{name}.v", node=node.name, op=node.op,
                                parts=[m for m in layer_files if m != name]))
    plan = TopPlan(g, pipeline, names, modules)
    inputs = [_port(g, t, names(t)) for t in g.inputs]
    outputs = [dict(_port(g, t, names(t)), signal=plan.outputs[t], valid=f"{names(t)}_ap_vld")
               for t in g.outputs]
    about = (f"{project}: {len(listing)} layer modules, latency {plan.latency} cycle(s), II 1, "
             f"pipeline={pipeline!r}")
    files[f"rtl/{project}.v"] = render("verilog/top.v.j2", project=project, about=about, inputs=inputs,
                                       outputs=outputs, wires=plan.wires, regs=plan.regs,
                                       instances=plan.instances, latency=plan.latency)
    manifest = dict(kind="verilog", hgq_hls_version=__version__, project=project, top=project,
                    pipeline=pipeline, latency=plan.latency, ii=1,
                    control=dict(clock="ap_clk", reset="ap_rst (active high, synchronous)",
                                 start="ap_start", done="ap_done", idle="ap_idle", ready="ap_ready"),
                    inputs=inputs, outputs=outputs, modules=listing, graph=GRAPH_FILE,
                    sources=[f"rtl/{p}.v" for m in listing for p in m["parts"] + [m["module"]]]
                    + [f"rtl/{project}.v"])
    return files, manifest


def write_verilog(g: Graph, outdir, pipeline: str = "layer", project_name: str = "myproject",
                  force: bool = False, io: str = "parallel"):
    """Write ``g`` as Verilog in ``outdir`` and return its :class:`RTLProject`.

    ``io="parallel"`` (ap_ctrl_hs, one bus per tensor): ``pipeline="layer"`` registers every
    layer's output (latency = number of layers on the longest path, II = 1); ``"none"`` gives
    one combinational design (latency 0).  ``io="stream"``: AXI4-Stream ports carrying one pixel
    per beat, each Conv and pool one kernel behind a line buffer
    (:mod:`hgq_hls.backends.verilog.stream`); ``pipeline`` does not apply.  The same overwrite
    and atomic-write rules as :func:`hgq_hls.write_hls` apply.
    """
    from ..hls.writer import check_arguments
    from .project import RTLProject
    from .stream import plan_stream_rtl

    check_arguments(g, io, 1, project_name, ios=RTL_IO)
    if io == "stream":
        files, manifest = plan_stream_rtl(g, project_name)
        manifest = dict(manifest, hgq_hls_version=__version__, graph=GRAPH_FILE)
    else:
        files, manifest = plan_rtl(g, project_name, pipeline)
    files["manifest.json"] = json.dumps(manifest, indent=2) + "\n"
    files["README.md"] = render("verilog/stream/README.md.j2" if io == "stream" else "verilog/README.md.j2",
                                **manifest)
    write_project(outdir, force, files, g, manifest)
    return RTLProject(Path(outdir), manifest, graph=g)
