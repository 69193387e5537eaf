"""Reference kernels, one per op, in a registry (like onnx.reference's operator files).

A kernel is ``fn(node, inputs, graph) -> list of values``; a value is ``(array, frac)``
with integer mantissas, or ``(float64 array, None)`` in an untyped graph.  Activations
carry a leading batch axis; constants do not.  Kernels compute exactly; the executor then
casts each output to its tensor's type.
"""

from .base import KERNELS, kernel
from . import elementwise, linear, movement, pooling, quantize, tables  # noqa: F401  (registration)

__all__ = ["KERNELS", "kernel"]
