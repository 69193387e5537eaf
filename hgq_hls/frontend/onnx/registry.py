"""The registry of ONNX op handlers: one function per ONNX op type (and QONNX custom op)."""

from __future__ import annotations

from typing import Callable

#: ONNX op_type -> handler(ctx, onnx_node)
HANDLERS: dict[str, Callable] = {}


class Unsupported(Exception):
    """Raised by a handler: this node cannot be imported, for the given reason."""


def handles(*op_types: str):
    """Decorator registering a handler for one or more ONNX op types."""
    def wrap(fn):
        for op in op_types:
            HANDLERS[op] = fn
        return fn
    return wrap
