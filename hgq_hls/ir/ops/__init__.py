"""The operations of the IR: each op's shape rule and interval (type) rule, in a registry.

An op class defines ``shape(node, in_shapes) -> out_shapes`` (per-sample shapes) and
``interval(node, in_intervals) -> out_intervals`` (exact value sets, which precision
inference turns into types).  Register a new op with :func:`register`.
"""

from .base import OPS, OpDef, register
from . import elementwise, linear, movement, pooling, quantize, tables  # noqa: F401  (registration)

__all__ = ["OPS", "OpDef", "register"]
