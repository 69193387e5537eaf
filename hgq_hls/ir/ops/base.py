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
    #: True for ops that only move data (no arithmetic); they never get a default quantizer
    data_movement = False
    #: True for quantizers: the op's output type is its own (a graph holding one is typed)
    declares_type = False

    def shape(self, node, in_shapes: list[tuple]) -> list[tuple]:
        """Output shapes (per sample) from input shapes; the default keeps the first."""
        return [in_shapes[0]]

    def interval(self, node, ivs: list[Interval]) -> list[Interval]:
        """Output value sets from input value sets; every op must define it."""
        raise NotImplementedError(f"op {self.name} has no interval rule")

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
