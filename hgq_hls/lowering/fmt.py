"""The value set of a wire: an integer range on a power-of-two grid, and its signed width."""

from __future__ import annotations

from dataclasses import dataclass


def signed_width(lo: int, hi: int) -> int:
    """Bits of a two's-complement number holding every integer in [lo, hi]."""
    return max(hi.bit_length(), (-lo - 1).bit_length() if lo < 0 else 0) + 1


@dataclass(frozen=True)
class Fmt:
    """The value set of a wire: mantissas ``lo..hi`` on the grid ``2**-frac``."""

    lo: int
    hi: int
    frac: int

    @property
    def width(self) -> int:
        """Signed storage width."""
        return signed_width(self.lo, self.hi)

    @property
    def constant(self) -> bool:
        """True when the wire can hold one value only (a literal, or a width-0 tensor's 0)."""
        return self.lo == self.hi

    def scaled(self, shift: int) -> "Fmt":
        """The format of this value times ``2**shift`` read on a finer grid (no logic)."""
        return Fmt(self.lo, self.hi, self.frac - shift)
