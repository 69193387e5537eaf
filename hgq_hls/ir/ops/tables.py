"""Lookup: an activation function evaluated by table, so reference and firmware agree exactly.

The input is first cast to ``in_type`` (its rounding and overflow apply: a saturating type
clamps the table's domain), then its code selects one entry of a table of ``out_type``
values.  The table is part of the node (``attrs["table"]``), computed once.
"""

from __future__ import annotations

import numpy as np

from ...fixed import FixedType, Interval, from_mantissa, to_mantissa
from .base import OpDef, register

def _reciprocal(x):
    # 1/0 has no value; the largest finite float saturates to the table's maximum
    return np.divide(1.0, x, out=np.full_like(x, np.finfo(np.float64).max), where=x != 0)


def _sqrt(x):
    return np.sqrt(np.maximum(x, 0.0))


#: the functions a Lookup can tabulate, in float64
FUNCTIONS = {
    "sigmoid": lambda x: 0.5 * (1.0 + np.tanh(0.5 * x)),
    "tanh": np.tanh,
    "exp_neg": lambda x: np.exp(-x),
    # ELU/SELU's negative branch, read at t = max(-x, 0): exp(-t) - 1 in [-1, 0]
    "expm1_neg": lambda x: np.expm1(-x),
    "reciprocal": _reciprocal,
    "sqrt": _sqrt,
    # LayerNorm's 1/sqrt(variance + eps) (the eps is the node's offset); none at or below 0
    "rsqrt": lambda x: _reciprocal(_sqrt(x)),
}

#: default table types per function: 1,024 entries over [-8, 8) and 18-bit outputs; the inverse
#: square root reads variances in [0, 16) on a 2^-8 grid (4,096 entries) and holds 1/sqrt(1e-5) = 316
DEFAULT_TABLE_TYPES = {
    "sigmoid": (FixedType(True, 10, 4, "TRN", "SAT"), FixedType(False, 18, 0, "RND_CONV", "SAT")),
    "tanh": (FixedType(True, 10, 4, "TRN", "SAT"), FixedType(True, 18, 1, "RND_CONV", "SAT")),
    "rsqrt": (FixedType(False, 12, 4, "RND", "SAT"), FixedType(False, 18, 9, "RND_CONV", "SAT")),
    "expm1_neg": (FixedType(False, 10, 4, "RND", "SAT"), FixedType(True, 18, 1, "RND_CONV", "SAT")),
    "sqrt": (FixedType(False, 12, 4, "RND", "SAT"), FixedType(False, 18, 3, "RND_CONV", "SAT")),
}

_MAX_TABLE_BITS = 20


def build_table(func: str, in_type: FixedType, out_type: FixedType, offset: float = 0.0) -> np.ndarray:
    """Mantissas of ``out_type`` for every code of ``in_type``, from the most negative up: the
    function at each code's value plus ``offset``."""
    if in_type.width > _MAX_TABLE_BITS:
        raise ValueError(f"a table over {in_type} would have 2^{in_type.width} entries; "
                         f"use an input type of at most {_MAX_TABLE_BITS} bits")
    codes = np.arange(in_type.min_mantissa, in_type.max_mantissa + 1, dtype=np.int64)
    return to_mantissa(FUNCTIONS[func](from_mantissa(codes, in_type.frac) + offset), out_type)


@register
class Lookup(OpDef):
    """``y = table[cast(x, in_type)]``; attrs: func, in_type, out_type, table, and optionally
    offset (the table holds ``func(code + offset)``: LayerNorm's eps)."""

    name = "Lookup"
    table = True
    light = True

    def build_tables(self, node):
        a = node.attrs
        if a["table"] is None:
            a["table"] = build_table(a["func"], a["in_type"], a["out_type"], a.get("offset", 0.0))

    def interval(self, node, ivs):
        table = node.attrs["table"]
        shape = ivs[0].shape
        return [Interval(np.full(shape, int(table.min()), dtype=object),
                         np.full(shape, int(table.max()), dtype=object), node.attrs["out_type"].frac)]


def softmax_table_types(n: int) -> dict:
    """Default types of a softmax over ``n`` elements (hls4ml's stable scheme, made explicit).

    ``exp_in``/``exp_out`` tabulate ``exp(-d)`` for ``d = max - x >= 0``; the sum of the
    exponentials lies in [1, n]; ``inv_in``/``inv_out`` tabulate its reciprocal.
    """
    int_bits = max(int(n).bit_length(), 1)
    return dict(
        exp_in=FixedType(False, 10, 4, "TRN", "SAT"),
        exp_out=FixedType(False, 18, 1, "RND_CONV", "SAT"),
        inv_in=FixedType(False, 10, int_bits, "TRN", "SAT"),
        inv_out=FixedType(False, 18, 1, "RND_CONV", "SAT"),
    )


def softmax_tables(attrs: dict) -> tuple[np.ndarray, np.ndarray]:
    """The exp and reciprocal tables of a Softmax node."""
    return (build_table("exp_neg", attrs["exp_in"], attrs["exp_out"]),
            build_table("reciprocal", attrs["inv_in"], attrs["inv_out"]))


@register
class Softmax(OpDef):
    """``exp(x - max) / sum`` along ``attrs["axis"]``, both steps by explicit tables."""

    name = "Softmax"
    table = True

    def build_tables(self, node):
        if node.attrs["tables"] is None:
            node.attrs["tables"] = softmax_tables(node.attrs)

    def interval(self, node, ivs):
        exp_table, inv_table = node.attrs["tables"]
        shape = ivs[0].shape

        def table_range(table, t):
            return Interval(np.full(shape, int(table.min()), dtype=object),
                            np.full(shape, int(table.max()), dtype=object), t.frac)

        return [table_range(exp_table, node.attrs["exp_out"]) * table_range(inv_table, node.attrs["inv_out"])]

    def inner_types(self, node, in_types, in_shapes):
        # the sum of a row's exp values: the exp table's type with room for n terms
        x_shape, exp_out = in_shapes[0], node.attrs["exp_out"]
        grow = x_shape[node.attrs["axis"] % len(x_shape)].bit_length()
        return {"sum_type": FixedType(exp_out.signed, exp_out.width + grow, exp_out.integer + grow)}
