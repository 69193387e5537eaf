"""How integer mantissas are held in memory: int64 while they fit, Python ints beyond."""

from __future__ import annotations

import numpy as np

#: Widest mantissa kept in int64.  Two bits of headroom below 64 let kernels add or negate
#: a value once without overflowing the host integer.
INT64_MAX_WIDTH = 62


def storage_dtype(width: int, *, name: str | None = None, allow_object: bool = True):
    """The numpy dtype that holds ``width``-bit mantissas exactly.

    int64 up to :data:`INT64_MAX_WIDTH` bits; beyond that exact Python-int ``object`` arrays,
    or an ``OverflowError`` naming the tensor when ``allow_object`` is False.
    """
    if width <= INT64_MAX_WIDTH:
        return np.dtype(np.int64)
    if not allow_object:
        label = f"tensor {name!r}" if name else "a tensor"
        raise OverflowError(
            f"{label} needs {width}-bit mantissas, more than the {INT64_MAX_WIDTH} bits int64 "
            "holds exactly; narrow its type or allow exact object (Python int) arrays"
        )
    return np.dtype(object)


def as_object(a) -> np.ndarray:
    """An object array of exact Python ints with the values of integer array ``a``."""
    a = np.asarray(a)
    if a.dtype == object:
        return a
    out = np.empty(a.shape, dtype=object)
    out[...] = a.tolist() if a.ndim else int(a)
    return out


def to_storage(a, width: int, *, name: str | None = None) -> np.ndarray:
    """Convert an integer array whose values fit ``width`` bits to :func:`storage_dtype`."""
    dtype = storage_dtype(width, name=name)
    a = np.asarray(a)
    if dtype == object:
        return as_object(a)
    if a.dtype == object:
        return np.array(a.tolist(), dtype=np.int64).reshape(a.shape)
    return a.astype(np.int64, copy=False)
