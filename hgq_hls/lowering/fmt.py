"""The value set of a wire: an integer range on a power-of-two grid, and its signed width."""

from __future__ import annotations

_set = object.__setattr__            # Fmt's own writes past its immutability guard


def signed_width(lo: int, hi: int) -> int:
    """Bits of a two's-complement number holding every integer in [lo, hi]."""
    return max(hi.bit_length(), (-lo - 1).bit_length() if lo < 0 else 0) + 1


class Fmt:
    """The value set of a wire: mantissas ``lo..hi`` on the grid ``2**-frac``.

    Immutable; equal and hashed by ``(lo, hi, frac)``.  A plain class with slots: netlists
    make one per wire and read ``width`` for every cell (a dataclass cost a tenth of a large
    layer's lowering)."""

    __slots__ = ("lo", "hi", "frac", "width")

    def __init__(self, lo: int, hi: int, frac: int, width: int | None = None):
        if width is None:                # signed_width, inlined: one Fmt per wire
            top, bottom = hi.bit_length(), (-lo - 1).bit_length() if lo < 0 else 0
            width = (top if top > bottom else bottom) + 1
        _set(self, "lo", lo)
        _set(self, "hi", hi)
        _set(self, "frac", frac)
        #: signed storage width (computed once)
        _set(self, "width", width)

    def __setattr__(self, name, value):
        raise AttributeError("Fmt is immutable")

    def __eq__(self, other) -> bool:
        return isinstance(other, Fmt) and (self.lo, self.hi, self.frac) == (other.lo, other.hi, other.frac)

    def __hash__(self) -> int:
        return hash((self.lo, self.hi, self.frac))

    def __repr__(self) -> str:
        return f"Fmt(lo={self.lo}, hi={self.hi}, frac={self.frac})"

    def __reduce__(self):
        return (Fmt, (self.lo, self.hi, self.frac))

    @property
    def constant(self) -> bool:
        """True when the wire can hold one value only (a literal, or a width-0 tensor's 0)."""
        return self.lo == self.hi

    def scaled(self, shift: int) -> "Fmt":
        """The format of this value times ``2**shift`` read on a finer grid (no logic)."""
        return Fmt(self.lo, self.hi, self.frac - shift, self.width)     # same range, same width
