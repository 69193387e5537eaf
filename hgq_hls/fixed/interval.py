"""Exact interval arithmetic on fixed-point value sets: what sizes accumulators.

An :class:`Interval` describes, element by element, a set of values that lies on the grid
``k * 2**-frac`` between ``lo * 2**-frac`` and ``hi * 2**-frac``.  Endpoints are exact
Python ints (object arrays), so no width is ever too large to size.  Sums, differences and
products of intervals contain every value the exact operation can produce; the smallest
:class:`FixedType` that holds an interval therefore never overflows and never loses a bit.
"""

from __future__ import annotations

import numpy as np

from .convert import cast, float_to_exact
from .fixed_type import FixedType
from .storage import as_object

#: The ``frac`` of an element that is exactly zero: any other grid is finer, so aligning a
#: zero never forces extra fractional bits on its neighbours.
ZERO_FRAC = -(1 << 30)


def _trailing_zeros(v: np.ndarray) -> np.ndarray:
    return np.frompyfunc(lambda x: (int(x) & -int(x)).bit_length() - 1 if x else 0, 1, 1)(v)


def _rescale(value: np.ndarray, frac: np.ndarray, to_frac: np.ndarray) -> np.ndarray:
    """Endpoints ``value`` (units ``2**-frac``) expressed in units ``2**-to_frac`` (to_frac >= frac)."""
    return np.asarray(value << as_object(np.asarray(to_frac) - frac), dtype=object)


class Interval:
    """Per-element value sets ``{lo..hi} * 2**-frac`` with exact integer endpoints."""

    __slots__ = ("lo", "hi", "frac")

    def __init__(self, lo, hi, frac):
        lo, hi, frac = np.broadcast_arrays(as_object(lo), as_object(hi),
                                           np.asarray(frac, dtype=np.int64))
        if np.any(lo > hi):
            raise ValueError("interval with lo > hi")
        zero = (lo == 0) & (hi == 0)
        single = (lo == hi) & ~zero
        frac = frac.copy()
        lo, hi = lo.copy(), hi.copy()
        if single.any():
            # a single value needs no finer grid than its own lowest set bit
            tz = _trailing_zeros(lo[single]).astype(np.int64)
            lo[single] = lo[single] >> as_object(tz)
            hi[single] = lo[single]
            frac[single] -= tz
        frac[zero] = ZERO_FRAC
        self.lo, self.hi, self.frac = lo, hi, frac

    # ---- construction ---------------------------------------------------------------------
    @classmethod
    def from_type(cls, t: FixedType, shape=()) -> "Interval":
        """Every value a tensor of type ``t`` can hold."""
        return cls(np.full(shape, t.min_mantissa, dtype=object),
                   np.full(shape, t.max_mantissa, dtype=object), t.frac)

    @classmethod
    def exact(cls, mantissas, frac) -> "Interval":
        """The constant tensor ``mantissas * 2**-frac`` (a weight, a bias)."""
        m = as_object(mantissas)
        return cls(m, m, frac)

    @classmethod
    def from_floats(cls, x) -> "Interval":
        """The constant tensor holding exactly the float64 values ``x``."""
        m, frac = float_to_exact(x)
        return cls(m, m, frac)

    # ---- views ----------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        """Shape of the tensor the interval describes."""
        return self.lo.shape

    @property
    def min(self) -> np.ndarray:
        """Lower bounds as float64 (rounded if they need more than 53 bits)."""
        return self._float(self.lo)

    @property
    def max(self) -> np.ndarray:
        """Upper bounds as float64 (rounded if they need more than 53 bits)."""
        return self._float(self.hi)

    @property
    def step(self) -> np.ndarray:
        """Grid spacing ``2**-frac`` (0 for exactly-zero elements)."""
        return np.where(self.frac == ZERO_FRAC, 0.0,
                        np.ldexp(1.0, -np.maximum(self.frac, -1000)))

    def _float(self, v):
        values = np.array([float(x) for x in v.ravel()], dtype=np.float64).reshape(v.shape)
        return np.ldexp(values, -np.maximum(self.frac, -1000))

    def __getitem__(self, index) -> "Interval":
        return Interval(self.lo[index], self.hi[index], self.frac[index])

    def reshape(self, *shape) -> "Interval":
        """The same sets, reshaped like ``numpy.reshape``."""
        return Interval(self.lo.reshape(*shape), self.hi.reshape(*shape),
                        self.frac.reshape(*shape))

    def __repr__(self) -> str:
        if self.lo.ndim == 0:
            return f"Interval([{float(self.min)}, {float(self.max)}], step={float(self.step)})"
        return f"Interval(shape={self.shape}, hull={self.hull()!r})"

    # ---- arithmetic -----------------------------------------------------------------------
    def _aligned(self, other: "Interval"):
        frac = np.maximum(self.frac, other.frac)
        return (_rescale(self.lo, self.frac, frac), _rescale(self.hi, self.frac, frac),
                _rescale(other.lo, other.frac, frac), _rescale(other.hi, other.frac, frac), frac)

    def __add__(self, other: "Interval") -> "Interval":
        alo, ahi, blo, bhi, frac = self._aligned(other)
        return Interval(alo + blo, ahi + bhi, frac)

    def __neg__(self) -> "Interval":
        return Interval(-self.hi, -self.lo, self.frac)

    def __sub__(self, other: "Interval") -> "Interval":
        return self + (-other)

    def __mul__(self, other: "Interval") -> "Interval":
        corners = [self.lo * other.lo, self.lo * other.hi, self.hi * other.lo, self.hi * other.hi]
        lo = np.minimum(np.minimum(corners[0], corners[1]), np.minimum(corners[2], corners[3]))
        hi = np.maximum(np.maximum(corners[0], corners[1]), np.maximum(corners[2], corners[3]))
        return Interval(lo, hi, self.frac + other.frac)

    def sum(self, axis=None) -> "Interval":
        """The set of sums along ``axis`` (an adder tree over that axis)."""
        frac = self.frac.max(axis=axis, keepdims=True)
        lo = _rescale(self.lo, self.frac, frac).sum(axis=axis)
        hi = _rescale(self.hi, self.frac, frac).sum(axis=axis)
        return Interval(lo, hi, np.squeeze(frac, axis=axis) if axis is not None else frac.reshape(()))

    def __matmul__(self, other: "Interval") -> "Interval":
        """``x @ W`` over the last axis of ``self`` and the first of ``other`` (2-D)."""
        if other.lo.ndim != 2:
            raise ValueError("matmul needs a 2-D right operand")
        left = self[..., :, None]
        return (left * other).sum(axis=-2)

    def maximum(self, other: "Interval") -> "Interval":
        """Elementwise ``max(a, b)`` (ReLU is ``maximum`` with a zero constant)."""
        alo, ahi, blo, bhi, frac = self._aligned(other)
        return Interval(np.maximum(alo, blo), np.maximum(ahi, bhi), frac)

    def minimum(self, other: "Interval") -> "Interval":
        """Elementwise ``min(a, b)``."""
        alo, ahi, blo, bhi, frac = self._aligned(other)
        return Interval(np.minimum(alo, blo), np.minimum(ahi, bhi), frac)

    def relu(self) -> "Interval":
        """``max(x, 0)``."""
        return Interval(np.maximum(self.lo, 0), np.maximum(self.hi, 0), self.frac)

    def union(self, other: "Interval") -> "Interval":
        """Elementwise smallest set holding both (e.g. the two branches of a PReLU)."""
        alo, ahi, blo, bhi, frac = self._aligned(other)
        return Interval(np.minimum(alo, blo), np.maximum(ahi, bhi), frac)

    def map(self, fn) -> "Interval":
        """Apply a pure data-movement function (reshape, transpose, indexing) elementwise."""
        return Interval(fn(self.lo), fn(self.hi), fn(self.frac))

    @staticmethod
    def concatenate(intervals: list["Interval"], axis: int) -> "Interval":
        """Intervals joined along ``axis``, like ``numpy.concatenate``."""
        return Interval(np.concatenate([i.lo for i in intervals], axis=axis),
                        np.concatenate([i.hi for i in intervals], axis=axis),
                        np.concatenate([i.frac for i in intervals], axis=axis))

    def hull(self, axis=None) -> "Interval":
        """One set covering all elements (along ``axis``): the finest grid, the widest range."""
        frac = self.frac.max(axis=axis, keepdims=True)
        lo = _rescale(self.lo, self.frac, frac).min(axis=axis)
        hi = _rescale(self.hi, self.frac, frac).max(axis=axis)
        return Interval(lo, hi, np.squeeze(frac, axis=axis) if axis is not None else frac.reshape(()))

    # ---- sizing ---------------------------------------------------------------------------
    def fixed_type(self, rounding: str = "TRN", overflow: str = "WRAP") -> FixedType:
        """The smallest FixedType that holds every element's set exactly (no rounding, no overflow)."""
        h = self.hull()
        lo, hi, frac = int(h.lo), int(h.hi), int(h.frac)
        if lo == 0 and hi == 0:
            return FixedType(False, 0, 0, rounding, overflow)
        if lo >= 0:
            width = hi.bit_length()
            return FixedType(False, width, width - frac, rounding, overflow)
        width = 1 + max(hi.bit_length(), (-lo - 1).bit_length())
        return FixedType(True, width, width - frac, rounding, overflow)

    def contains(self, mantissas, frac) -> np.ndarray:
        """Elementwise: does the set hold the value ``mantissas * 2**-frac``?"""
        m = as_object(mantissas)
        frac = np.asarray(frac, dtype=np.int64)
        common = np.maximum(self.frac, frac)
        v = _rescale(m, frac, common)
        lo, hi = _rescale(self.lo, self.frac, common), _rescale(self.hi, self.frac, common)
        spacing = as_object(common - self.frac)
        offset = v - lo
        on_grid = ((offset >> spacing) << spacing) == offset
        return np.asarray((v >= lo) & (v <= hi) & on_grid, dtype=bool)


def tightest_type(mantissas, frac: int) -> tuple[FixedType, np.ndarray]:
    """The smallest type holding ``mantissas * 2**-frac`` exactly, and the values as its
    mantissas (int64 while they fit, Python ints beyond)."""
    mantissas = np.asarray(mantissas)
    t = Interval.exact(mantissas, frac).fixed_type()
    return t, cast(as_object(mantissas).reshape(-1), frac, t).reshape(mantissas.shape)
