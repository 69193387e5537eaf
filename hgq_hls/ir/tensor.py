"""Tensor: an edge of the dataflow graph, with its exact fixed-point type."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..fixed import ElementTypes, FixedType, Interval, from_mantissa


@dataclass
class Tensor:
    """A named value in the graph.

    ``shape`` is per sample for activations (the batch axis is implicit) and complete for
    constants.  ``type`` is the exact fixed-point type (``None`` in an untyped float graph).
    A constant holds ``value``: integer mantissas of ``type`` (each weight may use fewer
    bits than the type: per-weight precision survives exactly), or float64 when untyped.
    ``declared`` marks a type that a quantizer or the user chose, as opposed to one that
    precision inference sized.  ``entry_type`` is set by precision inference on an untyped
    (float) graph input that only quantizers of one type read: firmware takes the input in
    that type, since converting the float at the port *is* the quantizer (for a per-element
    quantizer ``entry_elements``: the host converts each element to its type, and the port
    carries ``entry_type``, their container; for a Requantize ``entry_divisor``: the host
    divides and rounds, and the port carries the integer codes in ``entry_type``).
    ``element_types`` refines ``type`` per element (HGQ granularity): each element's own
    type; ``type`` is then the container that holds every element's values, on the common
    grid the values travel in (:class:`~hgq_hls.fixed.ElementTypes`).
    """

    name: str
    shape: tuple[int, ...]
    type: FixedType | None = None
    interval: Interval | None = None
    value: np.ndarray | None = None
    declared: bool = False
    entry_type: FixedType | None = None
    entry_elements: ElementTypes | None = None
    entry_divisor: np.ndarray | None = None
    element_types: ElementTypes | None = None

    @property
    def carried_elements(self) -> ElementTypes | None:
        """The per-element types the tensor's values have: its own, or for a graph input the
        ones the host converts it to (None for a tensor of one type)."""
        return self.element_types or self.entry_elements

    @property
    def is_const(self) -> bool:
        """True for weights, biases and other constants."""
        return self.value is not None

    def float_value(self) -> np.ndarray:
        """The constant's values as float64 (exact for types up to 53 bits)."""
        if self.value is None:
            raise ValueError(f"tensor {self.name!r} is not a constant")
        if self.type is None:
            return np.asarray(self.value, dtype=np.float64)
        return from_mantissa(self.value, self.type.frac)
