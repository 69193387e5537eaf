"""ONNX and QONNX op handlers, one function per ONNX op type, in modules named after the
family of IR ops they produce (as in ``ir/ops``), or after the composite they spell
(``normalization``: LayerNormalization)."""

from .base import HANDLERS, Unsupported, handles
from . import elementwise, linear, movement, normalization, pooling, quantize, tables  # noqa: F401  (registration)

__all__ = ["HANDLERS", "Unsupported", "handles"]
