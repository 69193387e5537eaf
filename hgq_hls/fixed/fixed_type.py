"""FixedType: one ap_fixed / ap_ufixed type, immutable and hashable."""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass, replace

from ..errors import ArgumentError
from .modes import normalize_overflow, normalize_rounding, rounding_from_qonnx

#: The widest type a model or a user may declare (QONNX bit widths, input_type, ...).
#: Precision inference may size wider accumulators; the reference holds those exactly in
#: Python ints.  A bound keeps a typo (bitwidth 1e10) from exhausting memory.
MAX_DECLARED_WIDTH = 64
#: Bound on |frac| of a declared type: beyond it no float64 input has a non-zero value.
MAX_DECLARED_FRAC = 1100

_CTYPE_RE = re.compile(
    r"^\s*(?P<kind>ap_fixed|ap_ufixed|ap_int|ap_uint)\s*<\s*(?P<args>[^<>]*)>\s*$"
)


@dataclass(frozen=True)
class FixedType:
    """A fixed-point type with exactly the meaning of ``ap_[u]fixed<width, integer, Q, O>``.

    A value is an integer mantissa ``m`` (``width`` bits, two's complement if ``signed``)
    meaning ``m * 2**-frac`` with ``frac = width - integer``.  ``integer`` may be negative or
    larger than ``width``.  ``width == 0`` is a constant-zero type (a pruned tensor).
    """

    signed: bool
    width: int
    integer: int
    rounding: str = "TRN"
    overflow: str = "WRAP"

    def __post_init__(self):
        for field in ("width", "integer"):
            value = getattr(self, field)
            if isinstance(value, (bool, float)) or not hasattr(value, "__index__"):
                raise ArgumentError(f"FixedType.{field}", f"must be an int, got {value!r}")
            object.__setattr__(self, field, operator.index(value))
        if self.width < 0:
            raise ArgumentError("FixedType.width", f"must be >= 0, got {self.width}")
        if not isinstance(self.signed, bool) and self.signed not in (0, 1):
            raise ArgumentError("FixedType.signed", f"must be True or False, got {self.signed!r}")
        object.__setattr__(self, "signed", bool(self.signed))
        for field, normalize in (("rounding", normalize_rounding), ("overflow", normalize_overflow)):
            try:
                object.__setattr__(self, field, normalize(getattr(self, field)))
            except (ValueError, TypeError, AttributeError):
                raise ArgumentError(f"FixedType.{field}", f"unknown mode {getattr(self, field)!r}") from None

    # ---- derived quantities -------------------------------------------------------------
    @property
    def frac(self) -> int:
        """Number of fractional bits, ``width - integer`` (may be negative)."""
        return self.width - self.integer

    @property
    def lsb(self) -> float:
        """Value of one unit in the last place, ``2**-frac``."""
        return math.ldexp(1.0, -self.frac)

    @property
    def min_mantissa(self) -> int:
        """Smallest mantissa the bit pattern can hold (SAT_SYM never produces it by saturating)."""
        if self.width == 0 or not self.signed:
            return 0
        return -(1 << (self.width - 1))

    @property
    def max_mantissa(self) -> int:
        """Largest mantissa the bit pattern can hold."""
        if self.width == 0:
            return 0
        return (1 << (self.width - int(self.signed))) - 1

    @property
    def saturation_bounds(self) -> tuple[int, int]:
        """The mantissas a saturating cast clamps to: (min, max), or (-max, max) for SAT_SYM.

        One definition read by the reference, the interval rules and the Verilog casts.  A
        signed 1-bit SAT_SYM type keeps (min, max): ap_fixed's code for it is ``min | 1``.
        """
        if self.overflow == "SAT_SYM" and self.signed and self.width > 1:
            return -self.max_mantissa, self.max_mantissa
        return self.min_mantissa, self.max_mantissa

    @property
    def min(self) -> float:
        """Smallest representable value (as float64; exact while width <= 53)."""
        return math.ldexp(float(self.min_mantissa), -self.frac)

    @property
    def max(self) -> float:
        """Largest representable value (as float64; exact while width <= 53)."""
        return math.ldexp(float(self.max_mantissa), -self.frac)

    # ---- spellings ------------------------------------------------------------------------
    def ctype(self) -> str:
        """The exact C++ spelling, e.g. ``ap_fixed<8,3,AP_RND_CONV,AP_SAT>``.

        Default modes are left out (``ap_fixed<8,3>``); a non-default overflow mode needs
        the rounding mode spelled too, as in C++.
        """
        kind = "ap_fixed" if self.signed else "ap_ufixed"
        args = [str(self.width), str(self.integer)]
        if self.rounding != "TRN" or self.overflow != "WRAP":
            args.append("AP_" + self.rounding)
        if self.overflow != "WRAP":
            args.append("AP_" + self.overflow)
        return f"{kind}<{','.join(args)}>"

    def __str__(self) -> str:
        return self.ctype()

    @classmethod
    def from_ctype(cls, text: str) -> "FixedType":
        """Parse ``ap_fixed<W,I[,Q[,O[,0]]]>``, ``ap_ufixed<...>``, ``ap_int<W>`` or ``ap_uint<W>``."""
        match = _CTYPE_RE.match(text) if isinstance(text, str) else None
        if not match:
            raise ArgumentError("type", f"not an ap_fixed/ap_int type spelling: {text!r}")
        kind = match["kind"]
        args = [a.strip() for a in match["args"].split(",")]
        try:
            if kind in ("ap_int", "ap_uint"):
                if len(args) != 1:
                    raise ValueError("ap_int/ap_uint take exactly one width")
                width = int(args[0])
                return cls(kind == "ap_int", width, width)
            if not 2 <= len(args) <= 5:
                raise ValueError("ap_fixed takes 2 to 5 template arguments")
            if len(args) == 5 and int(args[4]) != 0:
                raise ValueError("saturation bits N > 0 are not supported")
            return cls(
                signed=kind == "ap_fixed",
                width=int(args[0]),
                integer=int(args[1]),
                rounding=args[2] if len(args) > 2 else "TRN",
                overflow=args[3] if len(args) > 3 else "WRAP",
            )
        except ValueError as exc:
            detail = exc.detail if isinstance(exc, ArgumentError) else exc
            raise ArgumentError("type", f"cannot parse {text!r}: {detail}") from None

    @classmethod
    def from_qonnx(cls, bits: int, scale: float, signed: bool, narrow: bool = False,
                   rounding_mode: str = "ROUND") -> "FixedType":
        """The type of a QONNX ``Quant`` with zero point 0 and a power-of-two ``scale``.

        QONNX always saturates: ``narrow`` signed maps to ``SAT_SYM``, otherwise ``SAT``.
        """
        bits = int(bits)
        if bits < 1:
            raise ValueError(f"QONNX bitwidth must be >= 1, got {bits}")
        scale = float(scale)
        mant, exp = math.frexp(scale)
        if not (scale > 0 and mant == 0.5):
            raise ValueError(
                f"QONNX scale {scale!r} is not a power of two; only power-of-two scales are fixed-point"
            )
        frac = 1 - exp  # scale == 2**(exp-1) == 2**-frac
        if signed and bits == 1:
            raise ValueError("a signed 1-bit QONNX Quant is bipolar {-1,+1}, not a fixed-point type")
        if narrow and not signed:
            raise ValueError(
                "unsigned narrow QONNX Quant (max 2^b-2) has no ap_ufixed equivalent"
            )
        return cls(
            signed=bool(signed),
            width=bits,
            integer=bits - frac,
            rounding=rounding_from_qonnx(rounding_mode),
            overflow="SAT_SYM" if narrow else "SAT",
        )

    @classmethod
    def coerce(cls, value, keyword: str, declared: bool = True) -> "FixedType":
        """``value`` (a FixedType or its C++ spelling) as a FixedType.

        Raises :class:`~hgq_hls.errors.ArgumentError` naming ``keyword`` for anything else,
        and, for a type the user declares (``declared``), for types wider than
        :data:`MAX_DECLARED_WIDTH` bits.
        """
        if isinstance(value, str):
            try:
                value = cls.from_ctype(value)
            except ValueError as exc:
                raise ArgumentError(keyword, str(exc)) from None
        if not isinstance(value, cls):
            raise ArgumentError(keyword, f"expected a FixedType or a spelling such as "
                                f"'ap_fixed<8,3>', got {type(value).__name__} {value!r}")
        problem = value.declaration_problem() if declared else None
        if problem:
            raise ArgumentError(keyword, problem)
        return value

    def declaration_problem(self) -> str | None:
        """Why a model or user may not declare this type (too wide), or None."""
        if self.width > MAX_DECLARED_WIDTH:
            return (f"{self} is {self.width} bits wide; declared types are at most "
                    f"{MAX_DECLARED_WIDTH} bits")
        if abs(self.frac) > MAX_DECLARED_FRAC:
            return f"{self} has {self.frac} fractional bits; at most ±{MAX_DECLARED_FRAC} are supported"
        return None

    def replace(self, **changes) -> "FixedType":
        """A copy with some fields changed, e.g. ``t.replace(overflow="SAT")``."""
        return replace(self, **changes)
