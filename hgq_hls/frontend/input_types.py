"""Input types of a float model: given by the user, or inferred from calibration data.

``input_type="auto"`` with ``calib=x`` gives each graph input the smallest type that holds
every calibration value exactly when that fits ``width`` bits (integer pixels, counts, data
already on a power-of-two grid: nothing is rounded), and otherwise a ``width``-bit type whose
integer bits cover the calibration range.  Inputs round to nearest (``RND``) and saturate
(``SAT``): a value beyond the calibration range clamps instead of wrapping around.  The
rounding happens on the host, before the firmware, so these modes cost no logic.
"""

from __future__ import annotations

import numpy as np

from ..errors import ArgumentError
from ..fixed import FixedType, Interval
from ..inputs import as_input_arrays

#: width of an inferred input type when the calibration values do not fit exactly
#: (hls4ml's default ap_fixed<16,6> is as wide)
AUTO_WIDTH = 16


def covering_type(x: np.ndarray, width: int = AUTO_WIDTH) -> FixedType:
    """The type of an input whose samples are ``x``: exact if that fits ``width`` bits."""
    exact = Interval.from_floats(x).fixed_type()
    if exact.width == 0:
        raise ArgumentError("calib", "the calibration values are all zero: no range to size a type by")
    if exact.width <= width:
        return FixedType(exact.signed, exact.width, exact.integer, "RND", "SAT")
    return FixedType(exact.signed, width, exact.integer, "RND", "SAT")


def input_types(input_type, names: list[str], shapes: list[tuple], calib=None,
                width: int | None = None) -> dict[str, FixedType] | None:
    """``input_type`` as {graph input: FixedType}, or None for an untyped import.

    ``input_type`` is a FixedType (or its spelling) for every input, a dict naming inputs, or
    ``"auto"``: each input sized by :func:`covering_type` on its calibration samples ``calib``
    (one array, or a list with one array per input, batch first) at ``width`` bits.
    """
    if input_type is None:
        if calib is not None:
            raise ArgumentError("calib", "calibration data is used with input_type='auto' only")
        return None
    if isinstance(input_type, str) and input_type == "auto":
        if calib is None:
            raise ArgumentError("input_type", "'auto' sizes the input types by calibration data: "
                                "pass calib= (samples, batch first)")
        arrays = as_input_arrays(calib, names, shapes, keyword="calib")
        if any(len(a) == 0 for a in arrays):
            raise ArgumentError("calib", "the calibration data holds no sample")
        if any(not np.isfinite(a).all() for a in arrays):
            raise ArgumentError("calib", "the calibration data holds infinity")
        return {name: covering_type(a, width or AUTO_WIDTH) for name, a in zip(names, arrays)}
    if calib is not None:
        raise ArgumentError("calib", "calibration data is used with input_type='auto' only")
    if isinstance(input_type, dict):
        unknown = sorted(set(input_type) - set(names))
        if unknown:
            raise ArgumentError("input_type", f"no graph input named {unknown}; inputs are {names}")
        missing = [n for n in names if n not in input_type]
        if missing:
            raise ArgumentError("input_type", f"no type for the input(s) {missing}")
        return {n: FixedType.coerce(input_type[n], f"input_type[{n!r}]") for n in names}
    t = FixedType.coerce(input_type, "input_type")
    return {n: t for n in names}
