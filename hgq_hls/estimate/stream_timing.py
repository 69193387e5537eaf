"""When a streamed design's pixels arrive: the first and last pixel of every tensor, in cycles
from the first input pixel, for the HLS and the Verilog io_stream estimates alike.

Every process (stage) handles one pixel per ``rf`` cycles and adds ``depth`` cycles to the pixel
it works on; a window's first output waits for its first complete window, a buffered layer for
its whole input.  A fork adds one cycle.
"""

from __future__ import annotations

from ..ir import Graph, Node
from ..lowering.stream_plan import stream_shape, window_extents


def input_times(g: Graph, streams: dict) -> tuple[dict, dict]:
    """(first, last) pixel cycle of every graph input: one pixel per cycle (a fork adds one)."""
    first, last = {}, {}
    for t in g.inputs:
        forked = streams[t].forked
        first[t], last[t] = int(forked), stream_shape(g.tensors[t].shape)[0] - 1 + forked
    return first, last


def node_times(g: Graph, node: Node, kind: str, f_in: int, l_in: int, depth: int, rf: int = 1,
               buffered_busy: int = 0) -> tuple[int, int, int]:
    """(first output pixel, last output pixel, busy cycles per sample) of a ``kind`` process whose
    inputs' pixels arrive from ``f_in`` to ``l_in`` (``buffered_busy``: a buffered process's
    cycles of work between reading and writing)."""
    out_pixels = stream_shape(g.tensors[node.outputs[0]].shape)[0]
    if kind == "window":
        ext = window_extents(g, node)
        geo, wp = ext["geo"], ext["wp"]
        # raster indices (padded) of the first/last input pixel and the first/last window corner
        first_input = geo["pt"] * wp + geo["pl"]
        last_input = (geo["pt"] + geo["h"] - 1) * wp + geo["pl"] + geo["w"] - 1
        first_corner = (ext["keh"] - 1) * wp + ext["kew"] - 1
        last_corner = ((geo["oh"] - 1) * geo["sh"] + ext["keh"] - 1) * wp + (geo["ow"] - 1) * geo["sw"] + ext["kew"] - 1
        f_out = f_in + max(first_corner - first_input, 0) * rf + depth
        l_out = max(l_in + max(last_corner - last_input, 0) * rf + depth, f_out + (last_corner - first_corner) * rf)
        return f_out, l_out, ext["hp"] * wp * rf
    if kind == "pixel":
        f_out = f_in + depth
        return f_out, max(l_in + depth, f_out + (out_pixels - 1) * rf), out_pixels * rf
    f_out = l_in + depth
    return f_out, f_out + out_pixels - 1, buffered_busy + out_pixels
