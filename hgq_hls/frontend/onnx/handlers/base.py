"""The registry of ONNX op handlers: one function per ONNX op type (and QONNX custom op)."""

from __future__ import annotations

from typing import Callable

from ....ir.ops.tables import DEFAULT_TABLE_TYPES
from ....registry import registrar

#: ONNX op_type -> handler(ctx, onnx_node)
HANDLERS: dict[str, Callable] = {}


class Unsupported(Exception):
    """Raised by a handler: this node cannot be imported, for the given reason."""


handles = registrar(HANDLERS, "the importer handler (ONNX op types)")


def sample_axis(axis: int, full_rank: int) -> int:
    """An ONNX axis of a rank-``full_rank`` activation as a per-sample axis (the batch axis 0
    is refused: ops never mix samples)."""
    axis = axis + full_rank if axis < 0 else axis
    if axis == 0:
        raise Unsupported("operating along the batch axis (0) is not supported")
    return axis - 1


def add_lookup(ctx, func: str, x: str, out: str, name: str, **attrs) -> None:
    """A Lookup of ``func`` on ``x`` with the table types ``DEFAULT_TABLE_TYPES[func]`` (the
    node's ``precision`` table_in/table_out override them); its table is built later, from the types."""
    in_type, out_type = DEFAULT_TABLE_TYPES[func]
    ctx.add("Lookup", [x], [out], name, func=func, in_type=in_type, out_type=out_type, table=None, **attrs)
