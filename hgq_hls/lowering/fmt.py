"""The value set of a wire: an integer range on a power-of-two grid, and its signed width."""

from __future__ import annotations

from dataclasses import dataclass, field


def signed_width(lo: int, hi: int) -> int:
    """Bits of a two's-complement number holding every integer in [lo, hi]."""
    return max(hi.bit_length(), (-lo - 1).bit_length() if lo < 0 else 0) + 1


@dataclass(frozen=True)
class Fmt:
    """The value set of a wire: mantissas ``lo..hi`` on the grid ``2**-frac``."""

    lo: int
    hi: int
    frac: int
    #: signed storage width (computed once: netlists read it for every cell)
    width: int = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "width", signed_width(self.lo, self.hi))

    @property
    def constant(self) -> bool:
        """True when the wire can hold one value only (a literal, or a width-0 tensor's 0)."""
        return self.lo == self.hi

    def scaled(self, shift: int) -> "Fmt":
        """The format of this value times ``2**shift`` read on a finer grid (no logic)."""
        out = object.__new__(Fmt)           # same range, same width: skip recomputing it
        out.__dict__.update(lo=self.lo, hi=self.hi, frac=self.frac - shift, width=self.width)
        return out
