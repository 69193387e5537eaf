"""A direct interpreter of netlist cells (exact Python ints), for testing lowerings without a
simulator: each wire's value is its mantissa on the wire's own grid."""

from __future__ import annotations

import numpy as np

from hgq_hls.fixed import cast


def _value(values, op):
    """(mantissa, frac) of an operand: the wire's mantissa read ``shift`` bits to the left."""
    return values[op.wire.name], op.wire.fmt.frac - op.shift


def _aligned(values, ops):
    pairs = [_value(values, o) for o in ops]
    frac = max(f for _, f in pairs)
    return [m << (frac - f) for m, f in pairs], frac


def evaluate(net, inputs: dict[str, list[int]]) -> dict[str, list[tuple[int, int]]]:
    """Run ``net`` on input mantissas per port; returns each output port's (mantissa, frac)."""
    values = {}
    for port in net.inputs:
        for wire, m in zip(port.values, inputs[port.name]):
            values[wire.name] = int(m)
    for cell in net.cells:
        out = cell.out
        if cell.kind == "const":
            m, f = out.value, out.fmt.frac
        elif cell.kind in ("add", "sub", "max", "min"):
            (a, b), f = _aligned(values, cell.args)
            m = {"add": a + b, "sub": a - b, "max": max(a, b), "min": min(a, b)}[cell.kind]
        elif cell.kind == "mul":
            (a, fa), (b, fb) = (_value(values, o) for o in cell.args)
            m, f = a * b, fa + fb
        elif cell.kind == "relu":
            m, f = _value(values, cell.args[0])
            m = max(m, 0)
        elif cell.kind == "select":
            test, _ = _value(values, cell.args[0])
            (a, b), f = _aligned(values, cell.args[1:])
            m = a if test >= 0 else b
        elif cell.kind == "cast":
            a, fa = _value(values, cell.args[0])
            t = cell.params["type"]
            m, f = int(cast(np.array([a], dtype=object), fa, t)[0]), t.frac
        else:
            raise NotImplementedError(cell.kind)
        assert out.fmt.lo <= (m << (out.fmt.frac - f)) <= out.fmt.hi, (cell.kind, out.name)
        values[out.name] = m << (out.fmt.frac - f)
    return {port.name: [_value(values, v) for v in port.values] for port in net.outputs}
