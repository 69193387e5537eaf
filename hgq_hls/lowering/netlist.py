"""An explicit-width netlist: every wire holds an integer mantissa with a known range and grid.

A wire's value is ``m * 2**-frac`` with ``lo <= m <= hi``; its width (two's complement, every
wire is signed) follows from the range, so no width is guessed anywhere.  An :class:`Operand`
is a wire read with a shift (multiplying by a power of two is wiring, not logic).  The
builder methods create cells whose output ranges are exact; the Verilog emitter and the
resource estimator both read these cells, so an estimate describes exactly what is emitted.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from ..fixed import FixedType
from .cast import cast_fmt, needs_logic
from .csd import csd_digits
from .fmt import Fmt


class Wire:
    """A named signed wire; ``value`` is set for constants.  Compared by identity.

    (Wire, Operand, Cell and Fmt are plain classes with slots: a 100k-parameter layer makes
    hundreds of thousands of them, and dataclass construction was a third of its lowering.)"""

    __slots__ = ("name", "fmt", "value")

    def __init__(self, name: str, fmt: Fmt, value: int | None = None):
        self.name = name
        self.fmt = fmt
        self.value = value

    @property
    def width(self) -> int:
        """Its declared width."""
        return self.fmt.width

    def __repr__(self) -> str:
        return f"Wire(name={self.name!r}, fmt={self.fmt!r}, value={self.value!r})"


class Operand:
    """``wire * 2**shift``: a wire read as a larger value (shift >= 0 means left).

    Immutable by convention (one per digit of every weight); ``fmt`` is its value set, set at
    creation (a wire's format never changes once it is built, and the estimator reads it
    for every adder)."""

    __slots__ = ("wire", "shift", "fmt")

    def __init__(self, wire: Wire, shift: int = 0):
        self.wire = wire
        self.shift = shift
        self.fmt = wire.fmt.scaled(shift) if shift else wire.fmt

    def __repr__(self) -> str:
        return f"Operand(wire={self.wire!r}, shift={self.shift})"


@dataclass(eq=False)
class Port:
    """A bus of a module: its elements are wires (inputs) or operands (outputs).

    A typed port carries elements of one FixedType (``bits`` each, on the grid ``2**-frac``);
    a raw port (between the parts of a split layer) carries each wire at its own width.
    """

    name: str
    values: list
    type: FixedType | None = None
    #: per-element types of a typed input port's elements (each sits in its slot on the
    #: container ``type``'s grid, its low bits zero), or None
    element_types: list | None = None

    def element_bits(self) -> list[int]:
        """Bits of each element on the bus."""
        if self.type is None:
            return [(v.wire if isinstance(v, Operand) else v).width for v in self.values]
        return [max(self.type.width, 1)] * len(self.values)

    @property
    def width(self) -> int:
        """Total bus width."""
        return sum(self.element_bits())


class Cell:
    """One operation: ``kind`` in add, sub, mul, cast, relu, max, min, select, rom, const.
    Compared by identity."""

    __slots__ = ("kind", "out", "args", "params")

    def __init__(self, kind: str, out: Wire, args: tuple = (), params: dict | None = None):
        self.kind = kind
        self.out = out
        self.args = args
        self.params = {} if params is None else params

    def __repr__(self) -> str:
        return f"Cell(kind={self.kind!r}, out={self.out!r}, args={self.args!r}, params={self.params!r})"


def _magnitude(op: Operand) -> float:
    """log2 of the largest absolute value ``op`` can hold (-inf for a constant zero)."""
    f = op.fmt
    m = max(abs(f.lo), abs(f.hi))
    return math.log2(m) - f.frac if m else -math.inf


def _aligned(op: Operand, frac: int) -> tuple[int, int]:
    """(lo, hi) of ``op`` expressed on the grid ``2**-frac``."""
    s = frac - op.fmt.frac
    return op.fmt.lo << s, op.fmt.hi << s


class Netlist:
    """The cells of one module, with builder methods that size every wire exactly."""

    def __init__(self, name: str):
        self.name = name
        self.inputs: list[Port] = []      # values: Wire
        self.outputs: list[Port] = []     # values: Operand
        self.cells: list[Cell] = []
        self._count = 0
        self._consts: dict[tuple[int, int], Operand] = {}

    def fork(self) -> "Netlist":
        """A scratch netlist that continues this one (same wire numbering and constants, no
        cells yet): build a candidate in it, then :meth:`adopt` it or drop it."""
        scratch = Netlist(self.name)
        scratch._count = self._count
        scratch._consts = dict(self._consts)
        return scratch

    def adopt(self, scratch: "Netlist") -> None:
        """Take over the cells of a :meth:`fork` (as if they had been built here)."""
        self.cells += scratch.cells
        self._count = scratch._count
        self._consts = scratch._consts

    def wire(self, fmt: Fmt, value: int | None = None, prefix: str = "n") -> Wire:
        """A fresh wire."""
        self._count += 1
        return Wire(f"{prefix}{self._count}", fmt, value)

    # ---- ports --------------------------------------------------------------------------
    def input(self, port: str, n: int, t: FixedType, elements: list | None = None) -> list[Operand]:
        """Declare an input bus of ``n`` elements of type ``t``; returns one operand each.

        With ``elements`` (one FixedType per element, each held exactly by ``t``), each wire
        has its own element's range and grid, so the logic reading it is sized per element.
        """
        types = elements if elements is not None else [t] * n
        wires = [self.wire(Fmt(e.min_mantissa, e.max_mantissa, e.frac), prefix=f"{port}_") for e in types]
        self.inputs.append(Port(port, wires, t, elements))
        return [Operand(w) for w in wires]

    def output(self, port: str, values: list[Operand], t: FixedType) -> None:
        """Declare an output bus: each value is cast to ``t`` and placed at ``t``'s width."""
        self.outputs.append(Port(port, [self.cast(v, t) for v in values], t))

    # ---- arithmetic ---------------------------------------------------------------------
    def const(self, mantissa: int, frac: int) -> Operand:
        """A constant ``mantissa * 2**-frac``."""
        m = int(mantissa)
        if (m, frac) not in self._consts:
            out = self.wire(Fmt(m, m, frac), value=m, prefix="k")
            self.cells.append(Cell("const", out))
            self._consts[(m, frac)] = Operand(out)
        return self._consts[(m, frac)]

    def add(self, a: Operand, b: Operand, subtract: bool = False) -> Operand:
        """``a + b`` (or ``a - b``), exact."""
        values = [a, b]
        self.add_all(values, ((0, 1, 0, subtract),))
        return values[2]

    def add_all(self, values: list, steps) -> None:
        """Append to ``values``, for each step ``(i, j, shift, subtract)`` in order, the exact
        ``values[i] + (values[j] << shift)`` (or the difference); a step may read the
        results of earlier steps.  One call per layer: the adders of a large layer are most
        of its cells, and a method call per adder was a third of building them."""
        cells, count = self.cells, self._count
        append, new_cell = cells.append, Cell
        for i, j, shift, subtract in steps:
            a, b = values[i], values[j]
            if shift:
                b = Operand(b.wire, b.shift + shift)
            fa, fb = a.fmt, b.fmt
            frac = fa.frac if fa.frac > fb.frac else fb.frac
            sa, sb = frac - fa.frac, frac - fb.frac
            alo, ahi, blo, bhi = fa.lo << sa, fa.hi << sa, fb.lo << sb, fb.hi << sb
            lo, hi = (alo - bhi, ahi - blo) if subtract else (alo + blo, ahi + bhi)
            count += 1
            out = Wire(f"n{count}", Fmt(lo, hi, frac))
            append(new_cell("sub" if subtract else "add", out, (a, b)))
            values.append(Operand(out))
        self._count = count

    def negate(self, a: Operand) -> Operand:
        """``-a``."""
        return self.add(self.const(0, a.fmt.frac), a, subtract=True)

    def multiply(self, a: Operand, b: Operand) -> Operand:
        """``a * b`` of two signals (a multiplier: DSP or LUTs)."""
        corners = [x * y for x in (a.fmt.lo, a.fmt.hi) for y in (b.fmt.lo, b.fmt.hi)]
        out = self.wire(Fmt(min(corners), max(corners), a.fmt.frac + b.fmt.frac))
        self.cells.append(Cell("mul", out, (a, b)))
        return Operand(out)

    def sum(self, terms: list[tuple[int, Operand]]) -> Operand | None:
        """``sum(sign * operand)`` as a balanced tree of two-input adders (None if empty).

        Each adder takes the two pending operands of the smallest magnitude among those of
        the lowest depth (a heap on (depth, log2 of the largest value)), so the tree stays as
        shallow as a balanced one while values of like size meet first and sums grow slowly
        (measured against pairing by grid: 1-2% fewer adder bits on 8x8 to 64x64 layers, the
        depth unchanged; da4ml sums its terms the same way).  Signs travel up the tree: two
        negative subtrees add and stay negative, a positive and a negative one subtract; only a
        negative root costs a final negation.
        """
        if not terms:
            return None
        heap = [(0, _magnitude(op), k, sign, op) for k, (sign, op) in enumerate(terms)]
        heapq.heapify(heap)
        order = len(heap)                    # tie-breaker: first come, first paired
        while len(heap) > 1:
            da, _, _, sa, a = heapq.heappop(heap)
            db, _, _, sb, b = heapq.heappop(heap)
            if sa == sb:
                sign, out = sa, self.add(a, b)
            elif sa > 0:
                sign, out = 1, self.add(a, b, subtract=True)
            else:
                sign, out = 1, self.add(b, a, subtract=True)
            heapq.heappush(heap, (max(da, db) + 1, _magnitude(out), order, sign, out))
            order += 1
        _, _, _, sign, root = heap[0]
        return root if sign > 0 else self.negate(root)

    def const_terms(self, x: Operand, mantissa: int, frac: int) -> list[tuple[int, Operand]]:
        """``x * (mantissa * 2**-frac)`` as signed shifted copies of ``x`` (CSD digits)."""
        return [(sign, Operand(x.wire, x.shift + shift - frac)) for sign, shift in csd_digits(int(mantissa))]

    def scale(self, x: Operand, mantissa: int, frac: int) -> Operand:
        """``x`` times a constant, by shift-and-add (no multiplier)."""
        return self.sum(self.const_terms(x, mantissa, frac)) or self.const(0, x.fmt.frac + frac)

    # ---- selection ------------------------------------------------------------------------
    def relu(self, a: Operand) -> Operand:
        """``max(a, 0)``."""
        out = self.wire(Fmt(max(a.fmt.lo, 0), max(a.fmt.hi, 0), a.fmt.frac))
        self.cells.append(Cell("relu", out, (a,)))
        return Operand(out)

    def extreme(self, a: Operand, b: Operand, kind: str) -> Operand:
        """``max(a, b)`` (kind "max") or ``min(a, b)`` (kind "min")."""
        frac = max(a.fmt.frac, b.fmt.frac)
        (alo, ahi), (blo, bhi) = _aligned(a, frac), _aligned(b, frac)
        pick = max if kind == "max" else min
        out = self.wire(Fmt(pick(alo, blo), pick(ahi, bhi), frac))
        self.cells.append(Cell(kind, out, (a, b)))
        return Operand(out)

    def select(self, test: Operand, if_nonneg: Operand, if_neg: Operand) -> Operand:
        """``test >= 0 ? if_nonneg : if_neg``."""
        frac = max(if_nonneg.fmt.frac, if_neg.fmt.frac)
        (alo, ahi), (blo, bhi) = _aligned(if_nonneg, frac), _aligned(if_neg, frac)
        out = self.wire(Fmt(min(alo, blo), max(ahi, bhi), frac))
        self.cells.append(Cell("select", out, (test, if_nonneg, if_neg)))
        return Operand(out)

    # ---- casts and tables -----------------------------------------------------------------
    def cast(self, a: Operand, t: FixedType) -> Operand:
        """``a`` converted to type ``t`` with its rounding and overflow (ap_fixed semantics)."""

        if not needs_logic(a.fmt, t):
            return a
        out = self.wire(cast_fmt(a.fmt, t))
        self.cells.append(Cell("cast", out, (a,), dict(type=t)))
        return Operand(out)

    def lookup(self, a: Operand, in_type: FixedType, out_type: FixedType, table) -> Operand:
        """``table[code of cast(a, in_type)]`` as a ROM (one case per entry)."""
        code = self.cast(a, in_type)
        values = [int(v) for v in table]
        out = self.wire(Fmt(min(values), max(values), out_type.frac))
        self.cells.append(Cell("rom", out, (code,), dict(table=values, in_type=in_type)))
        return Operand(out)


def _operand_bits(op: Operand, frac: int, width: int) -> tuple[int, int, int]:
    """(low bits always zero, start, end) of ``op`` read on the grid ``2**-frac`` at ``width``
    bits: ``[start, end)`` are the bits that vary, from its lowest bit up to its top (a signed
    wire's sign extension varies too; a non-negative wire's sign bit is 0), empty for a
    constant (whose low zeros are those of its value)."""
    f = op.fmt
    pad = frac - f.frac
    if f.lo == f.hi:
        m = f.lo if f.lo >= 0 else -f.lo
        return (min(pad + (m & -m).bit_length() - 1, width) if m else width), 0, 0
    if f.lo < 0:
        return pad, pad, width
    end = pad + op.wire.fmt.width - 1
    return pad, pad, end if end < width else width


def adder_bits(cell: Cell, width: int | None = None) -> tuple[int, int]:
    """(bits where both operands vary, bits with one constant operand) of an add/sub cell.

    Below the lowest bit either operand can set, a sum is wiring (a difference a - b is
    wiring below b's lowest bit only: -b needs the carry chain).  Only the low ``width`` bits
    count when nothing reads the others.
    """
    a, b = cell.args
    out = cell.out.fmt
    frac, width = out.frac, min(out.width, width or out.width)
    za, sa, ea = _operand_bits(a, frac, width)
    zb, sb, eb = _operand_bits(b, frac, width)
    wiring = (za if za > zb else zb) if cell.kind == "add" else zb
    both = max(min(ea, eb, width) - max(sa, sb, wiring), 0)
    return both, max(width - wiring - both, 0)
