"""Per-element fixed-point types (HGQ granularity): every element of a tensor its own type.

:class:`ElementTypes` holds broadcastable arrays of sign, width and integer bits (one
rounding and one overflow mode for the tensor), so per-channel or per-row types stay small
and the per-tensor case is still a plain :class:`FixedType`.  Width 0 is a pruned element:
constant zero.

Values of a per-element tensor travel on one common grid, the *container* type
(:meth:`ElementTypes.container`): it holds every element's values exactly, so consumers that
only need to store or move a value read the container, and only a quantizer applies each
element's own rounding and overflow (:func:`cast_elements`).
"""

from __future__ import annotations

import numpy as np

from ..errors import ArgumentError
from .convert import cast, float_to_exact, to_mantissa
from .fixed_type import MAX_DECLARED_FRAC, MAX_DECLARED_WIDTH, FixedType
from .interval import Interval
from .modes import normalize_overflow, normalize_rounding
from .overflow import apply_overflow
from .rounding import round_shift
from .storage import as_object


def _int_array(value, what: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or arr.dtype == object
                                 or (np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)))):
        raise ArgumentError(f"ElementTypes.{what}", f"must hold integers, got {arr.ravel()[:4].tolist()}")
    return arr.astype(np.int64)


class ElementTypes:
    """The fixed-point type of each element of a tensor of ``shape``.

    ``signed``, ``width`` and ``integer`` broadcast to ``shape``; element ``e`` has the type
    ``FixedType(signed[e], width[e], integer[e], rounding, overflow)``.
    """

    def __init__(self, signed, width, integer, rounding: str = "TRN", overflow: str = "WRAP",
                 shape: tuple | None = None):
        signed = np.asarray(signed)
        if signed.dtype != bool and not np.all(np.isin(signed, (0, 1))):
            raise ArgumentError("ElementTypes.signed", "must hold True/False")
        width, integer = _int_array(width, "width"), _int_array(integer, "integer")
        try:
            full = np.broadcast_shapes(signed.shape, width.shape, integer.shape,
                                       *(() if shape is None else (tuple(shape),)))
        except ValueError:
            raise ArgumentError("ElementTypes", f"signed {signed.shape}, width {width.shape} and integer "
                                f"{integer.shape} do not broadcast to one shape") from None
        if shape is not None and full != tuple(shape):
            raise ArgumentError("ElementTypes.shape", f"the arrays broadcast to {full}, not to {tuple(shape)}")
        if np.any(width < 0):
            raise ArgumentError("ElementTypes.width", "must be >= 0")
        try:
            self.rounding, self.overflow = normalize_rounding(rounding), normalize_overflow(overflow)
        except (ValueError, TypeError) as exc:
            raise ArgumentError("ElementTypes", str(exc)) from None
        self.shape = full
        self.signed = np.broadcast_to(signed.astype(bool), full)
        self.width = np.broadcast_to(width, full)
        self.integer = np.broadcast_to(integer, full)
        if np.any(self.width == 0):
            # one spelling of a pruned element (unsigned, no bits), so equal types compare equal
            live = self.width > 0
            self.signed, self.integer = self.signed & live, np.where(live, self.integer, 0)

    # ---- construction ---------------------------------------------------------------------
    @classmethod
    def of(cls, t: FixedType, shape: tuple) -> "ElementTypes":
        """Every element of ``shape`` in type ``t``."""
        return cls(t.signed, t.width, t.integer, t.rounding, t.overflow, shape)

    # ---- derived quantities -------------------------------------------------------------
    @property
    def frac(self) -> np.ndarray:
        """Fractional bits of each element (``width - integer``)."""
        return self.width - self.integer

    @property
    def pruned(self) -> np.ndarray:
        """True where an element has width 0 (constant zero)."""
        return self.width == 0

    @property
    def min_mantissa(self) -> np.ndarray:
        """Smallest mantissa of each element (in units of its own lsb), as Python ints."""
        w = as_object(self.width)
        return np.where(self.signed & (self.width > 0), -(as_object(1) << np.maximum(w - 1, 0)), 0).astype(object)

    @property
    def max_mantissa(self) -> np.ndarray:
        """Largest mantissa of each element (in units of its own lsb), as Python ints."""
        w = as_object(self.width)
        top = (as_object(1) << np.maximum(w - as_object(self.signed.astype(np.int64)), 0)) - 1
        return np.where(self.width > 0, top, 0).astype(object)

    @property
    def saturation_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Per element, the mantissas a saturating cast clamps to (SAT_SYM: ``-max..max``), as
        :attr:`FixedType.saturation_bounds` defines them."""
        lo, hi = self.min_mantissa, self.max_mantissa
        if self.overflow == "SAT_SYM":
            lo = np.where(self.signed & (self.width > 1), -hi, lo).astype(object)
        return lo, hi

    def interval(self) -> Interval:
        """Every value each element can hold."""
        return Interval(self.min_mantissa, self.max_mantissa, self.frac)

    def container(self) -> FixedType:
        """The smallest single type holding every element's values exactly: the common grid
        (finest element lsb) and range that per-element values travel in."""
        return self.interval().fixed_type(self.rounding, self.overflow)

    def element(self, index) -> FixedType:
        """The type of one element."""
        return FixedType(bool(self.signed[index]), int(self.width[index]), int(self.integer[index]),
                         self.rounding, self.overflow)

    def elements(self) -> list[FixedType]:
        """Every element's type, in flat (C) order."""
        return [self.element(e) for e in np.ndindex(*self.shape)]

    def uniform(self) -> FixedType | None:
        """The one type of every element, or None when they differ."""
        if self.width.size == 0:
            return None
        first = tuple(a.reshape(-1)[0] for a in (self.signed, self.width, self.integer))
        same = all(np.all(a == v) for a, v in zip((self.signed, self.width, self.integer), first))
        return FixedType(bool(first[0]), int(first[1]), int(first[2]), self.rounding, self.overflow) if same else None

    def declaration_problem(self) -> str | None:
        """Why these types cannot be declared (too wide, too many fractional bits), or None."""
        live = ~self.pruned
        if np.any(self.width > MAX_DECLARED_WIDTH):
            return f"an element is {int(self.width.max())} bits wide; at most {MAX_DECLARED_WIDTH} are supported"
        if np.any(np.abs(self.frac[live]) > MAX_DECLARED_FRAC):
            return f"an element has {int(np.abs(self.frac[live]).max())} fractional bits; at most ±{MAX_DECLARED_FRAC}"
        return None

    def describe(self) -> str:
        """One line: the container, the width range and the pruned count."""
        live = self.width[~self.pruned]
        widths = f"width {int(live.min())}..{int(live.max())}" if live.size else "all pruned"
        return (f"per-element {widths}, {int(self.pruned.sum())} of {self.width.size} pruned, "
                f"{self.rounding}/{self.overflow} (in {self.container()})")

    def __eq__(self, other) -> bool:
        return (isinstance(other, ElementTypes) and self.shape == other.shape
                and (self.rounding, self.overflow) == (other.rounding, other.overflow)
                and all(np.array_equal(a, b) for a, b in ((self.signed, other.signed), (self.width, other.width),
                                                          (self.integer, other.integer))))

    def __hash__(self) -> int:
        return hash((self.shape, self.rounding, self.overflow, self.signed.tobytes(),
                     np.ascontiguousarray(self.width).tobytes(), np.ascontiguousarray(self.integer).tobytes()))

    def __repr__(self) -> str:
        return f"ElementTypes({self.describe()})"

    def __reduce__(self):
        return (ElementTypes, (np.array(self.signed), np.array(self.width), np.array(self.integer),
                               self.rounding, self.overflow, self.shape))


def round_elements(m, from_frac, types: ElementTypes) -> np.ndarray:
    """Mantissas ``m`` (value ``m * 2**-from_frac``, any integer array broadcasting to the
    types' shape, a leading batch axis allowed) rounded and overflow-handled per element:
    element ``e``'s result is in units of its own lsb ``2**-frac[e]``, exact Python ints."""
    m = as_object(np.asarray(m))
    q = round_shift(m, as_object(np.asarray(from_frac, dtype=np.int64) - types.frac), types.rounding)
    return apply_overflow(np.asarray(q, dtype=object), types)


def cast_elements(m, from_frac, types: ElementTypes) -> tuple[np.ndarray, int]:
    """Cast each element to its own type, the result on the container's grid:
    ``(mantissas, container frac)`` (exact; what a per-element quantizer stores)."""
    frac = types.container().frac
    q = round_elements(m, from_frac, types)
    up = np.where(types.pruned, 0, frac - types.frac)      # >= 0: the container is finest
    return (q << as_object(up)).astype(object), frac


def elements_from_float(x, types: ElementTypes) -> tuple[np.ndarray, int]:
    """Float values converted per element, as :func:`cast_elements` (each element exactly as
    ``ap_fixed<its type> v = (double)x;``), on the container's grid."""
    m, frac = float_to_exact(x)
    return cast_elements(m, frac, types)


def convert(value, frac, t) -> tuple[np.ndarray, int]:
    """``value`` (floats when ``frac`` is None, else mantissas on ``2**-frac``) converted to
    ``t``, a :class:`FixedType` or :class:`ElementTypes`: ``(mantissas, frac of the result)``."""
    if isinstance(t, ElementTypes):
        return elements_from_float(value, t) if frac is None else cast_elements(value, frac, t)
    if frac is None:
        return to_mantissa(value, t), t.frac
    return cast(value, frac, t), t.frac
