"""The op registry and the base class of op definitions."""

from __future__ import annotations

import numpy as np

from ...fixed import Interval

#: op name -> its definition
OPS: dict[str, "OpDef"] = {}


def register(cls):
    """Class decorator: add an op definition to :data:`OPS` under ``cls.name``."""
    OPS[cls.name] = cls()
    return cls


class OpDef:
    """Shape and interval rules of one op.  Subclasses set ``name`` and override the rules."""

    name = ""
    # ---- traits: what passes, backends and the estimator ask of an op, instead of its name
    #: only moves data (no arithmetic); never gets a default quantizer
    data_movement = False
    #: a quantizer: its output type is its own (a graph holding one is typed), and it may
    #: read a float graph input (it converts the float itself)
    declares_type = False
    #: the output's type is ``attrs["type"]`` itself, never a cast of the result (Quantize,
    #: Requantize); precision inference and the default precision leave it alone
    typed_by_attr = False
    #: a layer with weights: input 1 is the weight, input 2 the optional bias, each output a
    #: sum of products (Dense, Conv)
    multiply_accumulate = False
    #: computed by table lookups, whose tables precision inference builds (:meth:`build_tables`)
    table = False
    #: cheap enough to share a pipeline stage with the arithmetic before or after it
    light = False
    #: binary arithmetic that is a cheap offset or scaling when an operand is constant
    light_with_constant = False
    #: multiplies two operands element by element (EBOPs count each product)
    elementwise_product = False
    #: multiplies two activations as matrices over their last two axes: each output is a sum
    #: of products of signals (EBOPs count each product; MatMul)
    matrix_product = False

    def shape(self, node, in_shapes: list[tuple]) -> list[tuple]:
        """Output shapes (per sample) from input shapes; the default keeps the first."""
        return [in_shapes[0]]

    def interval(self, node, ivs: list[Interval]) -> list[Interval]:
        """Output value sets from input value sets; every op must define it."""
        raise NotImplementedError(f"op {self.name} has no interval rule")

    def build_tables(self, node) -> None:
        """Fill in the node's tables from its types if it has none (ops with ``table``)."""

    def inner_types(self, node, in_types: list, in_shapes: list[tuple]) -> dict:
        """Types of values the op computes inside (e.g. a window sum), as node attributes.

        Precision inference stores them on the node, so a backend names them and derives no
        width itself.  Most ops compute nothing inside: ``{}``.
        """
        return {}


def broadcast_to(iv: Interval, shape: tuple) -> Interval:
    """An interval broadcast (by numpy rules) to ``shape``."""
    return Interval(np.broadcast_to(iv.lo, shape), np.broadcast_to(iv.hi, shape),
                    np.broadcast_to(iv.frac, shape))
