"""The fixed-point core: types, exact conversions on integer mantissas, interval sizing."""

from .convert import cast, float_to_exact, from_mantissa, quantize, to_mantissa
from .element_types import ElementTypes, cast_elements, convert, elements_from_float
from .fixed_type import FixedType
from .interval import Interval
from .modes import OVERFLOW_MODES, QONNX_ROUNDING, ROUNDING_MODES
from .storage import INT64_MAX_WIDTH, storage_dtype

__all__ = [
    "FixedType",
    "ElementTypes",
    "cast_elements",
    "elements_from_float",
    "convert",
    "Interval",
    "quantize",
    "to_mantissa",
    "from_mantissa",
    "cast",
    "float_to_exact",
    "storage_dtype",
    "INT64_MAX_WIDTH",
    "ROUNDING_MODES",
    "OVERFLOW_MODES",
    "QONNX_ROUNDING",
]
