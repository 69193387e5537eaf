"""Splitting a large layer into parts, so that synthesis time grows linearly with the design.

yosys's ``synth_xilinx`` slows down superlinearly on one big module (a 64x64 constant layer
did not finish in 30 minutes), so a layer with more than ``max_cells`` cells becomes a wrapper
around parts: groups of consecutive output elements whose logic cones are disjoint, plus a
*shared* part for cells several groups read (a Softmax's maximum, for example).  Constants
are copied into every part that reads them, so no constant crosses a module boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...lowering.netlist import Cell, Netlist, Operand, Port

#: cells per part; a few seconds of yosys each
MAX_CELLS = 400


@dataclass
class Split:
    """A layer split into parts.

    ``shared`` are chunks of the shared cells, in order: chunk ``k`` reads the outputs of the
    chunks before it that its cells use (port ``c_in``) and drives port ``s``; each group reads
    the shared outputs its cells use (port ``s_in``).  Ports carry only the signals read: a
    part given every shared signal (29k bits on a 128x128 layer, a tenth of them read) took
    yosys 125 s where its own 5 s do, with the same LUTs.
    """

    shared: list[Netlist]
    groups: list[tuple[Netlist, int, int]]        # (part, first output element, end)


def _cone(op, producer, seen: set) -> list[Cell]:
    """Cells the value ``op`` depends on (depth first, without revisiting ``seen``)."""
    out, stack = [], [op.wire]
    while stack:
        cell = producer.get(stack.pop())
        if cell is None or cell in seen:
            continue
        seen.add(cell)
        out.append(cell)
        stack.extend(a.wire for a in cell.args)
    return out


def split(net: Netlist, max_cells: int | None = None) -> Split | None:
    """Parts of ``net`` when it is larger than ``max_cells`` (:data:`MAX_CELLS`) and has one
    output port, else None."""
    max_cells = MAX_CELLS if max_cells is None else max_cells
    if len(net.cells) <= max_cells or len(net.outputs) != 1:
        return None
    producer = {cell.out: cell for cell in net.cells}
    values = net.outputs[0].values
    cones = [_cone(v, producer, set()) for v in values]
    bounds, start, size = [], 0, 0
    for k, cone in enumerate(cones):
        if size and size + len(cone) > max_cells:
            bounds.append((start, k))
            start, size = k, 0
        size += len(cone)
    bounds.append((start, len(values)))
    if len(bounds) < 2:
        return None
    group_of = {}
    for g, (a, b) in enumerate(bounds):
        for cone in cones[a:b]:
            for cell in cone:
                group_of.setdefault(cell, set()).add(g)
    shared_cells = [c for c in net.cells if c.kind != "const" and len(group_of.get(c, ())) > 1]
    chunks = [shared_cells[k:k + max_cells] for k in range(0, len(shared_cells), max_cells)]
    shared, shared_wires = [], []
    for k, chunk in enumerate(chunks):
        inside = set(chunk)
        used = {a.wire for c in net.cells if c not in inside for a in c.args} | {v.wire for v in values}
        outs = [c.out for c in chunk if c.out in used]
        earlier = _shared_port("c_in", shared_wires, chunk, [])
        shared.append(_part(net, f"{net.name}_shared{k}", chunk, earlier, Port("s", [Operand(w) for w in outs])))
        shared_wires += outs
    groups = []
    for g, (a, b) in enumerate(bounds):
        cells = [c for c in net.cells if c.kind != "const" and group_of.get(c) == {g}]
        out = Port("out0", values[a:b], net.outputs[0].type)
        extra = _shared_port("s_in", shared_wires, cells, values[a:b])
        groups.append((_part(net, f"{net.name}_p{g}", cells, extra, out), a, b))
    return Split(shared, groups)


def _shared_port(name: str, shared_wires: list, cells: list[Cell], values: list) -> Port | None:
    """The port of the shared signals ``cells`` (and output ``values``) read, in bus order."""
    reads = {a.wire for c in cells for a in c.args} | {v.wire for v in values}
    wires = [w for w in shared_wires if w in reads]
    return Port(name, wires) if wires else None


def _part(net: Netlist, name: str, cells: list[Cell], shared_in: Port | None, out: Port) -> Netlist:
    """A netlist of ``cells`` (plus the constants they read) with the layer's inputs."""
    part = Netlist(name)
    part.inputs = list(net.inputs) + ([shared_in] if shared_in else [])
    reads = {a.wire for c in cells for a in c.args} | {v.wire for v in out.values}
    consts = [c for c in net.cells if c.kind == "const" and c.out in reads]
    order = {c: k for k, c in enumerate(net.cells)}
    part.cells = sorted(consts + cells, key=order.__getitem__)
    part.outputs = [out]
    return part
