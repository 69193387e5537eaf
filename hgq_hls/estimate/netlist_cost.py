"""What the cells of a lowered netlist cost: bit counts per kind of logic, then LUTs and DSPs.

Each cell of :mod:`hgq_hls.backends.verilog.netlist` is described by *features*, bit counts of
the logic it needs (adder bits, comparator bits, multiplexer bits, ROM LUTs, multiplier
bits), read from the exact widths the Verilog emitter writes.  A target's coefficients turn
features into LUTs (``lut = sum(coefficient * feature)``), fitted to yosys runs.
"""

from __future__ import annotations

import math
from collections import Counter

from ..backends.verilog.cast import plan_cast
from ..backends.verilog.netlist import Cell, Netlist, Operand

#: every feature, and what it counts
FEATURES = {
    "adder_bits": "bits of adders/subtractors of two signals (below the lowest bit both operands "
                  "can set, the sum is wiring)",
    "const_adder_bits": "bits of additions of a constant (biases, negations, rounding offsets)",
    "compare_bits": "bits of magnitude comparators (max/min, saturation bounds)",
    "mux_bits": "output bits of 2:1 multiplexers (max/min, select, saturation)",
    "relu_bits": "output bits of ReLUs (an AND with the inverted sign)",
    "rom_luts": "LUT6s of table ROMs: per non-constant output bit, max(1, 2**(code bits - 6))",
    "mul_bits": "a*b of multiplications of two signals built in fabric",
}


def _low_zeros(op: Operand, frac: int) -> int:
    """Low bits of ``op`` on the grid ``2**-frac`` that are always zero."""
    pad = frac - op.fmt.frac
    w = op.wire
    if w.value is not None:
        m = abs(w.value)
        return pad + ((m & -m).bit_length() - 1 if m else w.width)
    return pad


def _is_const(op: Operand) -> bool:
    return op.wire.value is not None


def adder_bits(cell: Cell) -> int:
    """Bits of an add/sub cell that need logic."""
    a, b = cell.args
    frac = cell.out.fmt.frac
    za, zb = _low_zeros(a, frac), _low_zeros(b, frac)
    # a + b: below max(za, zb) one operand is zero and the other passes through.
    # a - b: below zb, b is zero and a passes; above, the difference needs the carry chain.
    wiring = max(za, zb) if cell.kind == "add" else zb
    return max(cell.out.width - wiring, 0)


def dsp_slices(a_bits: int, b_bits: int, out_bits: int, rules: dict) -> int:
    """DSP slices yosys's ``mul2dsp`` uses for an ``a_bits x b_bits`` product (0: fabric)."""
    small, large = sorted((a_bits, b_bits))
    if small < rules["a_min_width"] or out_bits < rules["y_min_width"]:
        return 0
    return math.ceil(large / rules["a_max_width"]) * math.ceil(small / rules["b_max_width"])


def cell_features(cell: Cell, dsp_rules: dict) -> tuple[Counter, int]:
    """(features, DSP slices) of one cell."""
    f: Counter = Counter()
    kind, out = cell.kind, cell.out
    if kind in ("add", "sub"):
        const = any(_is_const(a) for a in cell.args)
        f["const_adder_bits" if const else "adder_bits"] += adder_bits(cell)
    elif kind in ("max", "min"):
        width = max(out.width, *(a.wire.width + out.fmt.frac - a.fmt.frac for a in cell.args))
        f["compare_bits"] += width
        f["mux_bits"] += out.width
    elif kind == "select":
        if not all(_is_const(a) for a in cell.args[1:]):
            f["mux_bits"] += out.width
    elif kind == "relu":
        f["relu_bits"] += max(out.width - 1, 0)
    elif kind == "cast":
        _cast_features(cell, f)
    elif kind == "rom":
        f["rom_luts"] += _rom_luts(cell)
    elif kind == "mul":
        a, b = (x.wire.width for x in cell.args)
        dsp = dsp_slices(a, b, out.width, dsp_rules)
        if not dsp:
            f["mul_bits"] += a * b
        return f, dsp
    return f, 0


def _cast_features(cell: Cell, f: Counter) -> None:
    (a,) = cell.args
    t = cell.params["type"]
    p = plan_cast(a.fmt, t)
    if p.zero:
        return
    if p.right and (p.offset or p.offset_bit):
        f["const_adder_bits"] += p.in_width - p.right + (1 if p.offset_bit else 0)
    sides = (p.saturate_hi is not None) + (p.saturate_lo is not None)
    if p.on_overflow in ("clamp", "zero") and sides:
        f["compare_bits"] += sides * p.rounded_width
        f["mux_bits"] += sides * cell.out.width


def _rom_luts(cell: Cell) -> int:
    """LUT6s of a ROM: each output bit is a function of the code bits."""
    (code,) = cell.args
    in_type, table = cell.params["in_type"], cell.params["table"]
    shift = in_type.frac - code.fmt.frac
    values = [table[(v << shift) - in_type.min_mantissa] for v in range(code.fmt.lo, code.fmt.hi + 1)]
    width = cell.out.width
    varying = sum(1 for bit in range(width) if len({(v >> bit) & 1 for v in values}) > 1)
    address_bits = (code.fmt.hi - code.fmt.lo).bit_length()    # a non-negative code's sign bit is 0
    return varying * max(1, 2 ** (address_bits - 6))


def netlist_features(net: Netlist, dsp_rules: dict) -> tuple[Counter, int]:
    """(summed features, DSP slices) of every cell of ``net``."""
    total, dsp = Counter(), 0
    for cell in net.cells:
        f, d = cell_features(cell, dsp_rules)
        total.update(f)
        dsp += d
    return total, dsp


def luts(features: Counter, coefficients: dict) -> float:
    """LUTs for ``features`` with a target's per-feature coefficients."""
    return sum(coefficients[name] * n for name, n in features.items())
