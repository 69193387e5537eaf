"""The registry of ONNX op handlers: one function per ONNX op type (and QONNX custom op)."""

from __future__ import annotations

from typing import Callable

from ....registry import registrar

#: ONNX op_type -> handler(ctx, onnx_node)
HANDLERS: dict[str, Callable] = {}


class Unsupported(Exception):
    """Raised by a handler: this node cannot be imported, for the given reason."""


handles = registrar(HANDLERS, "the importer handler (ONNX op types)")
