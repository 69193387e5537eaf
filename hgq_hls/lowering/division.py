"""Division by a constant integer in hardware: a multiply by a magic constant and a shift.

``Requantize`` needs ``floor(N / A)`` and whether the remainder is zero, for integers ``N``
in a range the intervals bound and an odd constant ``A`` (powers of two are shifts).  With
``N' = N - N0 >= 0`` (``N0`` a multiple of ``A`` at or below the range), ``s`` bits and
``m = ceil(2**s / A)`` (Granlund and Montgomery, "Division by invariant integers using
multiplication", 1994):

    floor(N' / A) = (N' * m) >> s          and   N' mod A == 0  <=>  (N' * m) mod 2**s < m

whenever ``(m * A - 2**s) * N'max < 2**s``, which ``s = bits(N'max) + bits(A)`` guarantees:
the product's fraction is ``r / A`` plus an error below ``1 / A``, so the residue ``r`` and the
floor are both read off exactly.  Bits of ``X`` finer than half the target's lsb times ``A``
never change the floor quotient (``floor((H + L / 2**r) / A) = floor(H / A)`` for
``0 <= L < 2**r``): they are dropped, and only whether they are zero joins the sticky bit.  A
saturating target first clamps the dividend to the values
that round one step beyond its range (everything further saturates alike), so the multiplier
is as wide as the output needs, not as the accumulator is.  The reference (:func:`hgq_hls.fixed.division.divide_cast`)
and this plan agree by construction; tests check them against each other exhaustively on
small ranges and against ``fractions`` on large ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..fixed import FixedType
from ..fixed.division import odd_part


@dataclass(frozen=True)
class DivisionPlan:
    """How one element divides ``x`` (mantissas ``lo..hi`` on the grid ``2**-frac``) by ``d``.

    ``N = (X >> drop) * 2**guard`` is divided by the odd ``A``; the floor quotient lies on the
    grid ``2**-(frac - drop + guard + e)`` (``d = A * 2**e``), one bit finer than the target, so
    a sticky bit appended below it (remainder or dropped bits non-zero) decides every rounding
    mode.
    """

    odd: int            # A
    exp: int            # e
    guard: int          # left shift of the mantissa before dividing
    offset: int         # N0 = A * floor(Nlo / A): N - N0 >= 0
    shift: int          # s
    magic: int          # m = ceil(2**s / A), 0 when A == 1
    span: int           # N'max = Nhi - N0
    frac: int           # the dividend's grid 2**-frac
    clamp_lo: int | None = None     # X is raised to this first (None: never binds)
    clamp_hi: int | None = None     # and lowered to this
    drop: int = 0       # low bits of X below the quotient's reach: only "non-zero" matters

    @property
    def quotient_frac(self) -> int:
        """Fractional bits of the floor quotient's grid."""
        return self.frac - self.drop + self.guard + self.exp


def plan_division(lo: int, hi: int, frac: int, d: int, t: FixedType) -> DivisionPlan:
    """The plan dividing mantissas ``lo..hi`` (grid ``2**-frac``) by ``d`` before a cast to ``t``."""
    a, e = odd_part(d)
    lo, hi = int(lo), int(hi)
    clamp_lo = clamp_hi = None
    if t.overflow in ("SAT", "SAT_SYM"):
        # X <= (smin - 1) * lsb * d rounds to at most smin - 1 and saturates to smin; alike above
        smin, smax = t.saturation_bounds
        shift = frac - t.frac
        below = ((smin - 1) * d << shift) if shift >= 0 else ((smin - 1) * d) >> -shift
        above = ((smax + 1) * d << shift) if shift >= 0 else -((-(smax + 1) * d) >> -shift)
        if below > lo:
            lo = clamp_lo = min(below, hi)
        if above < hi:
            hi = clamp_hi = max(above, lo)
    guard = max(t.frac + 1 - frac - e, 0)
    drop = max(frac + e - t.frac - 1, 0) if a > 1 else 0
    n_lo, n_hi = (lo >> drop) << guard, (hi >> drop) << guard
    offset = a * (n_lo // a)
    span = n_hi - offset
    if a == 1:
        return DivisionPlan(1, e, guard, offset, 0, 0, span, frac, clamp_lo, clamp_hi)
    shift = span.bit_length() + a.bit_length()
    magic = -((-(1 << shift)) // a)          # ceil(2**s / A)
    return DivisionPlan(a, e, guard, offset, shift, magic, span, frac, clamp_lo, clamp_hi, drop)


def divide_by_plan(n: int, plan: DivisionPlan) -> tuple[int, bool]:
    """``(floor(N / A), remainder != 0)`` of the clamped ``X`` the way the firmware computes it
    (for tests)."""
    n = int(n)
    if plan.clamp_lo is not None:
        n = max(n, plan.clamp_lo)
    if plan.clamp_hi is not None:
        n = min(n, plan.clamp_hi)
    dropped = n & ((1 << plan.drop) - 1)
    shifted = ((n >> plan.drop) << plan.guard) - plan.offset
    if plan.odd == 1:
        return shifted + plan.offset, False
    product = shifted * plan.magic
    quotient = (product >> plan.shift) + plan.offset // plan.odd
    return quotient, (product & ((1 << plan.shift) - 1)) >= plan.magic or dropped != 0
