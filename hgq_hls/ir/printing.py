"""The per-tensor type table that ``print(graph)`` shows."""

from __future__ import annotations


def _range(tensor) -> str:
    if tensor.interval is None:
        return ""
    hull = tensor.interval.hull()
    return f"[{float(hull.min):.6g}, {float(hull.max):.6g}]"


def _per_element(tensor) -> str:
    """A per-element type in one cell: width range, pruned count, the container."""
    et = tensor.element_types
    live = et.width[~et.pruned]
    widths = f"w{int(live.min())}..{int(live.max())}" if live.size else "all pruned"
    return f"per-element {widths}, {int(et.pruned.sum())}/{et.width.size} pruned in {tensor.type}"


def format_graph(graph) -> str:
    """A readable table: each node with its output tensors' shapes, types and value ranges."""
    rows = [("node", "op", "tensor", "shape", "type", "values")]
    for name in graph.inputs:
        t = graph.tensors[name]
        rows.append(("(input)", "", name, str(t.shape), str(t.type or "float"), _range(t)))
    for node in graph.topological():
        consts = [graph.tensors[i] for i in node.inputs if graph.tensors[i].is_const]
        for k, out in enumerate(node.outputs):
            t = graph.tensors[out]
            kind = str(t.type) if t.type is not None else "float"
            if t.element_types is not None:
                kind = _per_element(t)
            if t.type is not None and not t.declared:
                kind += " *"
            rows.append((node.name if k == 0 else "", node.op if k == 0 else "", out,
                         str(t.shape), kind, _range(t)))
        if "acc_type" in node.attrs and node.attrs["acc_type"] != graph.tensors[node.outputs[0]].type:
            rows.append(("", "", "  (exact result)", "", f"{node.attrs['acc_type']} *", ""))
        for c in consts:
            kind = _per_element(c) if c.element_types is not None else str(c.type or "float")
            rows.append(("", "", f"  {c.name} (const)", str(c.shape), kind, _range(c)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [f"Graph {graph.name!r}: inputs {graph.inputs} -> outputs {graph.outputs}"]
    for k, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("(* = sized by precision inference; the others are declared quantizers/inputs)")
    return "\n".join(lines)
