"""``write_verilog(g, io="stream")``: the files of a streamed RTL design, from its plan
(:class:`~hgq_hls.lowering.rtl_stream_plan.StreamTop`): each kernel's layer module, the generic
stages (``templates/verilog/stream/stages.v.j2``) and the top."""

from __future__ import annotations

from ...ir import Graph
from ...lowering.rtl_stream_plan import StreamTop
from ...templating import render
from .emit import layer_text


def plan_stream_rtl(g: Graph, project: str) -> tuple[dict, dict]:
    """Every file's text and the manifest of a streamed RTL design."""
    top = StreamTop(g, project)
    files, listing = {}, []
    for entry in top.listing:
        layer_files = layer_text(entry["netlist"], entry["about"])
        files.update({f"rtl/{m}.v": text for m, text in layer_files.items()})
        listing.append(dict({k: v for k, v in entry.items() if k not in ("about", "netlist")},
                            parts=[m for m in layer_files if m != entry["module"]]))
    kinds = list(top.kinds.values())
    about = (f"{project}: io_stream, {kinds.count('window')} window, {kinds.count('pixel')} pixel and "
             f"{kinds.count('buffered')} buffered stage(s)")
    files[f"rtl/{project}_stages.v"] = render("verilog/stream/stages.v.j2", prefix=project)
    files[f"rtl/{project}.v"] = render("verilog/stream/top.v.j2", project=project, about=about,
                                       inputs=top.inputs, outputs=top.outputs, wires=top.wires,
                                       assigns=top.assigns, instances=top.instances)
    manifest = dict(kind="verilog", io="stream", project=project, top=project, pipeline="stream",
                    latency=None, ii=None, control=dict(clock="ap_clk", reset="ap_rst (active high, synchronous)"),
                    inputs=top.inputs, outputs=top.outputs, modules=listing,
                    sources=[f"rtl/{p}.v" for m in listing for p in m["parts"] + [m["module"]]]
                    + [f"rtl/{project}_stages.v", f"rtl/{project}.v"])
    return files, manifest

