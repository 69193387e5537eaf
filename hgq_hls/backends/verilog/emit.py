"""Verilog text for a :class:`Netlist`: the numbers each cell template needs, then Jinja.

Operands are aligned here (sign extension and zero padding counted in bits); the text itself
lives in ``templates/verilog/cells.v.j2`` and ``module.v.j2``.
"""

from __future__ import annotations

from ...templating import render
from ...lowering.cast import plan_cast
from ...lowering.netlist import Cell, Netlist, Operand
from .partition import split


def operand(op: Operand, frac: int, width: int) -> dict:
    """``op`` read on the grid ``2**-frac`` as a ``width``-bit signed expression."""
    pad = frac - op.fmt.frac
    ext = width - op.wire.width - pad
    if pad < 0 or ext < 0:
        raise AssertionError(f"cannot align {op.wire.name} (pad {pad}, ext {ext})")
    return dict(name=op.wire.name, width=op.wire.width, ext=ext, pad=pad)


def _aligned_width(op: Operand, frac: int) -> int:
    return op.wire.width + frac - op.fmt.frac


def _cell(c: Cell) -> dict:
    out = c.out
    d = dict(kind=c.kind, out=out.name, width=out.width, full=out.width)
    frac = out.fmt.frac
    if c.kind == "const":
        d["value"] = out.value
    elif c.kind in ("add", "sub", "max", "min"):
        full = max([out.width] + [_aligned_width(a, frac) for a in c.args])
        d.update(full=full, a=operand(c.args[0], frac, full), b=operand(c.args[1], frac, full))
    elif c.kind == "select":
        test, a, b = c.args
        full = max(out.width, _aligned_width(a, frac), _aligned_width(b, frac))
        d.update(full=full, test=dict(name=test.wire.name, width=test.wire.width),
                 a=operand(a, frac, full), b=operand(b, frac, full))
    elif c.kind == "mul":
        a, b = c.args
        full = max(out.width, a.wire.width, b.wire.width)
        d.update(full=full, a=operand(a, a.fmt.frac, full), b=operand(b, b.fmt.frac, full))
    elif c.kind == "relu":
        (a,) = c.args
        full = max(out.width, a.wire.width)
        d.update(full=full, a=operand(a, a.fmt.frac, full))
    elif c.kind == "cast":
        (a,) = c.args
        t = c.params["type"]
        plan = plan_cast(a.fmt, t)
        d.update(plan=dict(vars(plan), mask=(1 << plan.right) - 1), rounding=t.rounding,
                 a=operand(a, a.fmt.frac, plan.in_width))
    elif c.kind == "rom":
        (code,) = c.args
        in_type, table = c.params["in_type"], c.params["table"]
        shift = in_type.frac - code.fmt.frac
        entries = [(v, table[(v << shift) - in_type.min_mantissa])
                   for v in range(code.wire.fmt.lo, code.wire.fmt.hi + 1)]
        d.update(code=dict(name=code.wire.name, width=code.wire.width), entries=entries)
    else:
        raise AssertionError(f"unknown cell kind {c.kind}")
    return d


def _inputs(net: Netlist) -> list[dict]:
    ports = []
    for port in net.inputs:
        t, lo, elements = port.type, 0, []
        types = port.element_types or [t] * len(port.values)
        for w, bits, e in zip(port.values, port.element_bits(), types):
            # an element of its own type sits in its slot shifted to the container's grid
            shift = t.frac - e.frac if port.element_types else 0
            elements.append(dict(wire=w.name, width=w.width, lo=lo + shift,
                                 bits=e.width if port.element_types else bits,
                                 zero=e is not None and e.width == 0,
                                 zero_extend=e is not None and not e.signed))
            lo += bits
        ports.append(dict(name=port.name, width=port.width, elements=elements))
    return ports


def _outputs(net: Netlist) -> list[dict]:
    ports = []
    for port in net.outputs:
        lo, elements = 0, []
        for k, (v, bits) in enumerate(zip(port.values, port.element_bits())):
            frac = port.type.frac if port.type is not None else v.fmt.frac
            width = max(bits, _aligned_width(v, frac))
            elements.append(dict(wire=f"{port.name}_e{k}", width=width, lo=lo, bits=bits,
                                 value=operand(v, frac, width)))
            lo += bits
        ports.append(dict(name=port.name, width=port.width, elements=elements))
    return ports


def module_text(net: Netlist, about: str) -> str:
    """The Verilog module of one netlist."""
    return render("verilog/module.v.j2", name=net.name, about=about, inputs=_inputs(net),
                  outputs=_outputs(net), cells=[_cell(c) for c in net.cells])


def _shared_bits(part: Netlist, port: str, slices: dict) -> list[str] | None:
    """The wrapper's expression for a part's shared-signal input ``port`` (None without one):
    the slices of the shared parts' outputs, most significant first, a few per line."""
    wires = next((p.values for p in part.inputs if p.name == port), None)
    if wires is None:
        return None
    names = [slices[w] for w in reversed(wires) if w.width]      # a 0-bit signal has no bits to pass
    return [", ".join(names[k:k + 8]) for k in range(0, len(names), 8)]


def layer_text(net: Netlist, about: str) -> dict[str, str]:
    """Module name -> Verilog of one layer: a single module, or a wrapper and its parts."""
    parts = split(net)
    if parts is None:
        return {net.name: module_text(net, about)}
    files, shared, slices = {}, [], {}
    for k, chunk in enumerate(parts.shared):
        files[chunk.name] = module_text(chunk, f"{about}, shared part {k}")
        shared.append(dict(module=chunk.name, width=chunk.outputs[0].width,
                           c_in=_shared_bits(chunk, "c_in", slices)))
        lo = 0
        for v, bits in zip(chunk.outputs[0].values, chunk.outputs[0].element_bits()):
            slices[v.wire] = f"shared{k}[{lo + bits - 1}:{lo}]"
            lo += bits
    groups = []
    for part, first, end in parts.groups:
        files[part.name] = module_text(part, f"{about}, outputs {first}..{end - 1}")
        bits = part.outputs[0].element_bits()
        lo = sum(net.outputs[0].element_bits()[:first])
        groups.append(dict(module=part.name, lo=lo, hi=lo + sum(bits) - 1,
                           s_in=_shared_bits(part, "s_in", slices)))
    out = net.outputs[0]
    files[net.name] = render(
        "verilog/layer.v.j2", name=net.name, about=about,
        inputs=[dict(name=p.name, width=p.width) for p in net.inputs],
        output=dict(name=out.name, width=out.width),
        shared=shared, groups=groups)
    return files
