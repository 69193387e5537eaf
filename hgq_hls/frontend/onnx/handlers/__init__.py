"""ONNX and QONNX op handlers, one function per ONNX op type, in modules named after the
family of IR ops they produce (as in ``ir/ops``); ``recurrent`` unrolls LSTM/GRU/RNN into
several families at once."""

from .base import HANDLERS, Unsupported, handles
from . import elementwise, linear, movement, pooling, quantize, recurrent, tables  # noqa: F401  (registration)

__all__ = ["HANDLERS", "Unsupported", "handles"]
