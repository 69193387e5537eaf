"""What the cells of a lowered netlist cost: bit counts per kind of logic, then LUTs and DSPs.

Each cell of :mod:`hgq_hls.lowering.netlist` is described by *features*, bit counts of
the logic it needs (adder bits, comparator bits, multiplexer bits, ROM LUTs, multiplier
bits), read from the exact widths the Verilog emitter writes.  A target's coefficients turn
features into LUTs (``lut = sum(coefficient * feature)``), fitted to yosys runs.
"""

from __future__ import annotations

import math
from collections import Counter

from ..lowering.cast import plan_cast
from ..lowering.netlist import Cell, Netlist, adder_bits

#: every feature, and what it counts
FEATURES = {
    "adder_bits": "adder/subtractor bits where both operands carry data (a LUT and a carry each)",
    "carry_bits": "adder bits where one operand is constant (sign or zero extension, constants, "
                  "rounding offsets): carry-chain cells, few LUTs",
    "minmax_bits": "bits of max/min cells (a comparator and a 2:1 multiplexer)",
    "select_bits": "output bits of 2:1 multiplexers on a sign bit (PReLU, bipolar)",
    "saturate_bits": "output bits of saturating casts (each picks the value or a bound)",
    "overflow_bits": "bits a saturating cast tests against its bounds (above the type's range), per bound",
    "relu_bits": "output bits of ReLUs (an AND with the inverted sign)",
    "rom_luts": "LUT6s of table ROMs: per varying output bit, max(1, 2**(address bits - 6)) over the "
                "reachable codes (+1 address bit for a saturating cast the ROM absorbs)",
    "mul_bits": "a*b of multiplications of two signals built in fabric",
}


def dsp_slices(a_bits: int, b_bits: int, out_bits: int, rules: dict) -> int:
    """DSP slices yosys's ``mul2dsp`` uses for an ``a_bits x b_bits`` product (0: fabric)."""
    small, large = sorted((a_bits, b_bits))
    if small < rules["a_min_width"] or out_bits < rules["y_min_width"]:
        return 0
    return math.ceil(large / rules["a_max_width"]) * math.ceil(small / rules["b_max_width"])


def _adder_features(cell: Cell, used: int | None = None) -> tuple[int, int]:
    """(adder_bits, carry_bits) of an add/sub cell; none when its value or both operands are
    constant (``used``: how many low output bits are read)."""
    out = cell.out.fmt
    a, b = cell.args
    if out.lo == out.hi or (a.fmt.lo == a.fmt.hi and b.fmt.lo == b.fmt.hi):
        return 0, 0
    return adder_bits(cell, out.width if used is None else min(out.width, used))


def cell_features(cell: Cell, dsp_rules: dict, producer: dict | None = None,
                  used: int | None = None, into_rom: bool = False) -> tuple[Counter, int]:
    """(features, DSP slices) of one cell (``producer``: wire -> cell, to see a ROM's address;
    ``used``: how many low output bits are read, when fewer than its width)."""
    f: Counter = Counter()
    kind, out = cell.kind, cell.out
    if kind == "const" or out.fmt.constant or all(a.fmt.constant for a in cell.args):
        return f, 0
    width = out.width if used is None else min(out.width, used)
    if kind in ("add", "sub"):
        both, one = _adder_features(cell, width)
        f["adder_bits"] += both
        f["carry_bits"] += one
    elif kind in ("max", "min"):
        f["minmax_bits"] += max(out.width, *(a.wire.width + out.fmt.frac - a.fmt.frac for a in cell.args))
    elif kind == "select":
        f["select_bits"] += out.width
    elif kind == "relu":
        f["relu_bits"] += max(min(out.width - 1, width), 0)
    elif kind == "cast":
        _cast_features(cell, f, into_rom)
    elif kind == "rom":
        f["rom_luts"] += _rom_luts(cell, producer or {})
    elif kind == "mul":
        a, b = (x.wire.width for x in cell.args)
        dsp = dsp_slices(a, b, out.width, dsp_rules)
        if not dsp:
            f["mul_bits"] += a * b
        return f, dsp
    return f, 0


def _saturation(cell: Cell):
    """(cast plan, number of saturated bounds) of a cast cell."""
    p = plan_cast(cell.args[0].fmt, cell.params["type"])
    sides = (p.saturate_hi is not None) + (p.saturate_lo is not None)
    return p, sides if p.on_overflow in ("clamp", "zero") and not p.zero else 0


def _cast_features(cell: Cell, f: Counter, into_rom: bool = False) -> None:
    """A cast: its rounding add, then per saturated bound a test of the bits above the type
    and a multiplexer per output data bit.  A cast whose input has at most 6 data bits is one
    LUT6 per output bit; a saturating cast feeding only a ROM is absorbed into the ROM (being
    out of range becomes one more address input, see :func:`_rom_luts`), leaving the overflow
    test."""
    (a,) = cell.args
    p, sides = _saturation(cell)
    if p.zero:
        return
    if p.right and (p.offset or p.offset_bit):
        f["carry_bits"] += p.in_width - p.right + (1 if p.offset_bit else 0)
    if not sides:
        return
    data_bits = max(p.type_width - p.left, 0)        # bits appended by a finer grid copy the flag
    value_bits = a.wire.width - (a.fmt.lo >= 0) - p.right + p.left
    if a.wire.width - (a.fmt.lo >= 0) <= 6 and not into_rom:
        f["saturate_bits"] += data_bits
        return
    f["overflow_bits"] += sides * max(value_bits - p.type_width, 1)
    if not into_rom:
        f["saturate_bits"] += data_bits


def _rom_luts(cell: Cell, producer: dict) -> int:
    """LUT6s of a ROM: each varying output bit is a function of the address bits.

    Only reachable codes count: a cast onto a finer grid appends constant zero bits to the
    code, which synthesis drops from the address.
    """
    (code,) = cell.args
    source = producer.get(code.wire)
    step, flags = 0, 0
    if source is not None and source.kind == "cast":
        plan, flags = _saturation(source)
        step = plan.left
    in_type, table = cell.params["in_type"], cell.params["table"]
    shift = in_type.frac - code.fmt.frac
    lo = -((-code.fmt.lo) >> step << step) if code.fmt.lo < 0 else code.fmt.lo
    values = [table[(v << shift) - in_type.min_mantissa] for v in range(lo, code.fmt.hi + 1, 1 << step)]
    varying = sum(1 for bit in range(cell.out.width) if len({(v >> bit) & 1 for v in values}) > 1)
    # an absorbed saturation adds one address input (out of range or not); chosen over two
    # inputs (one per bound) and over none by the error on the fit designs
    address_bits = (len(values) - 1).bit_length() + min(flags, 1)
    return varying * max(1, 2 ** (address_bits - 6))


def live_cells(net: Netlist) -> list[Cell]:
    """Cells whose value reaches an output port; a cell with a single possible value (a cast
    to a width-0 type, say) is a constant, so nothing behind it is live (synthesis drops it).

    One sweep from the last cell back: a netlist's cells come in build order, every cell
    after the cells of its arguments."""
    live_wires = {v.wire for port in net.outputs for v in port.values}
    live = []
    for cell in reversed(net.cells):
        if cell.out in live_wires:
            live.append(cell)
            if cell.out.fmt.lo != cell.out.fmt.hi:
                live_wires.update(a.wire for a in cell.args)
    live.reverse()
    return live


def _bits_read(reader: Cell, wire) -> int:
    """How many low bits of ``wire`` a cell reads: a wrapping cast without rounding keeps only
    the bits of its type; everything else reads the whole wire."""
    if reader.kind == "cast":
        p = plan_cast(reader.args[0].fmt, reader.params["type"])
        if p.on_overflow in ("", "wrap") and not p.right:
            return max(p.type_width - p.left, 0)
    return wire.width


def used_widths(net: Netlist, cells: list[Cell]) -> dict:
    """wire -> the low bits of it anything reads (the rest is dropped by synthesis)."""
    used: dict = {}
    for v in (v for port in net.outputs for v in port.values):
        used[v.wire] = v.wire.width
    for cell in cells:
        _note_reads(used, cell)
    return used


def _note_reads(used: dict, cell: Cell) -> None:
    """Raise ``used`` (wire -> low bits read) to what ``cell`` reads of each argument."""
    cast = cell.kind == "cast"
    for a in cell.args:
        wire = a.wire
        bits = (_bits_read(cell, wire) if cast else wire.fmt.width) - a.shift
        known = used.get(wire, 0)
        used[wire] = bits if bits > known else known


def netlist_features(net: Netlist, dsp_rules: dict) -> tuple[Counter, int]:
    """(summed features, DSP slices) of the live cells of ``net``."""
    if any(c.kind == "rom" for c in net.cells):
        return _features_with_roms(net, dsp_rules)
    # One sweep from the last cell back does what live_cells and used_widths do: when a cell
    # is reached, every cell reading it has been (cells come after their arguments), so its
    # liveness and the bits read of it are final.  Adders, most cells of a large layer, are
    # summed inline rather than through a Counter each.
    live = {v.wire for port in net.outputs for v in port.values}
    used = {wire: wire.width for wire in live}
    get = used.get
    total, dsp = Counter(), 0
    both = one = 0
    for cell in reversed(net.cells):
        out = cell.out
        if out not in live:
            continue
        _note_reads(used, cell)
        if out.fmt.lo != out.fmt.hi:              # nothing behind a constant is live
            live.update(a.wire for a in cell.args)
        if cell.kind in ("add", "sub"):
            x, y = _varying_adder_bits(cell, get(out, out.width))
            both += x
            one += y
            continue
        f, d = cell_features(cell, dsp_rules, None, get(out, out.width))
        total.update(f)
        dsp += d
    total["adder_bits"] += both
    total["carry_bits"] += one
    return +total, dsp          # unary + drops zero counts


def _varying_adder_bits(cell: Cell, used: int) -> tuple[int, int]:
    """:func:`_adder_features`, with :func:`adder_bits` written out for the commonest case,
    two varying operands (a large layer's features are mostly this function)."""
    out = cell.out.fmt
    a, b = cell.args
    fa, fb = a.fmt, b.fmt
    if fa.lo == fa.hi or fb.lo == fb.hi or out.lo == out.hi:
        return _adder_features(cell, used)
    width = out.width
    width = min(width, min(width, used) or width)
    # each operand varies from its grid offset up to its top (or the whole width if signed)
    pa, pb = out.frac - fa.frac, out.frac - fb.frac
    ea = width if fa.lo < 0 else min(pa + a.wire.fmt.width - 1, width)
    eb = width if fb.lo < 0 else min(pb + b.wire.fmt.width - 1, width)
    wiring = (pa if pa > pb else pb) if cell.kind == "add" else pb
    both = max(min(ea, eb) - max(pa, pb), 0)
    return both, max(width - wiring - both, 0)


def _features_with_roms(net: Netlist, dsp_rules: dict) -> tuple[Counter, int]:
    """:func:`netlist_features` of a netlist with ROMs, which look at their address's
    producer and absorb a saturating cast that feeds only them."""
    total, dsp = Counter(), 0
    producer = {cell.out: cell for cell in net.cells}
    cells = live_cells(net)
    used = used_widths(net, cells)
    readers = Counter(a.wire for cell in cells for a in cell.args)
    # casts whose only reader is a ROM: the ROM absorbs them
    into_rom = {producer[c.args[0].wire] for c in cells if c.kind == "rom" and readers[c.args[0].wire] == 1
                and c.args[0].wire in producer and producer[c.args[0].wire].kind == "cast"}
    for cell in cells:
        f, d = cell_features(cell, dsp_rules, producer, used.get(cell.out, cell.out.width), cell in into_rom)
        total.update(f)
        dsp += d
    return +total, dsp


def luts(features: Counter, coefficients: dict) -> float:
    """LUTs for ``features`` with a target's per-feature coefficients."""
    return sum(coefficients[name] * n for name, n in features.items())
