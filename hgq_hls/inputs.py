"""Checking the input samples a user passes to predict, verify and the simulators."""

from __future__ import annotations

import numpy as np

from .errors import ArgumentError


def real_array(x, keyword: str, what: str = "the array") -> np.ndarray:
    """``x`` as float64; ragged, complex or non-numeric values are refused, never silently cast."""
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:
        raise ArgumentError(keyword, f"{what} is not an array of numbers ({exc})") from None
    if arr.dtype.kind == "c":
        raise ArgumentError(keyword, f"{what} is complex; fixed point takes real numbers")
    if arr.dtype.kind not in "biuf":
        raise ArgumentError(keyword, f"{what} has dtype {arr.dtype}; pass numbers")
    return arr.astype(np.float64, copy=False)


def as_input_arrays(x, names: list[str], shapes: list[tuple], keyword: str = "x") -> list[np.ndarray]:
    """``x`` (one array or a list, batch first) as float64 arrays, one per input, checked.

    A single sample without its batch axis is accepted.  Complex, non-numeric or NaN values
    and wrong shapes or counts are an :class:`~hgq_hls.errors.ArgumentError` naming ``keyword``.
    """
    listed = isinstance(x, (list, tuple))
    if listed and len(names) > 1:
        xs = list(x)
    elif listed and len(x) == 1 and np.ndim(x[0]) > 0:
        xs = [x[0]]                              # [array] for a one-input model
    else:
        xs = [x]
    if len(xs) != len(names):
        raise ArgumentError(keyword, f"the model has {len(names)} input(s) {names}, got {len(xs)} array(s)")
    arrays = []
    for name, shape, value in zip(names, shapes, xs):
        arr = real_array(value, keyword, f"input {name!r}")
        shape = tuple(shape)
        if arr.shape == shape:
            arr = arr[None]                      # one sample without its batch axis
        if arr.shape[1:] != shape or arr.ndim != len(shape) + 1:
            raise ArgumentError(keyword, f"input {name!r} expects shape (batch, *{shape}), got {arr.shape}")
        if np.isnan(arr).any():
            raise ArgumentError(keyword, f"input {name!r} holds NaN, which has no fixed-point value")
        arrays.append(arr)
    return arrays


def positive_int(value, keyword: str) -> int:
    """``value`` as an int >= 1, or an ArgumentError naming ``keyword``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ArgumentError(keyword, f"must be a positive integer, got {value!r}")
    return int(value)


def positive_float(value, keyword: str) -> float:
    """``value`` as a finite float > 0, or an ArgumentError naming ``keyword``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ArgumentError(keyword, f"must be a positive number, got {value!r}") from None
    if isinstance(value, bool) or not np.isfinite(number) or number <= 0:
        raise ArgumentError(keyword, f"must be a positive finite number, got {value!r}")
    return number
