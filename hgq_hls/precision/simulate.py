"""Float simulation with some tensors quantized, and the scores a precision search compares.

Phase 1 of the Pareto search measures one group at a time "with everything else in float"
(Pandey et al.): weights and activations of that group are rounded to their types in float64
(``hh.quantize`` is exactly ap_fixed's conversion) and the rest of the graph runs in float.
Full configurations are scored on the real fixed-point graph with ``hh.predict`` instead.
"""

from __future__ import annotations

import numpy as np

from ..fixed import FixedType
from ..ir import Graph
from ..reference.executor import run


def predict_partly_quantized(g: Graph, x, types: dict[str, FixedType]) -> list[np.ndarray]:
    """Outputs of the float graph ``g`` with the tensors in ``types`` (constants or
    activations) rounded to their types; everything else in float64."""
    values = run(g, x, round_floats=types)
    return [values[name][0] for name in g.outputs]


def sqnr_db(reference: list[np.ndarray], outputs: list[np.ndarray]) -> float:
    """Signal-to-quantization-noise ratio of ``outputs`` against the float ``reference``, in dB."""
    signal = sum(float(np.sum(np.square(r))) for r in reference)
    noise = sum(float(np.sum(np.square(np.asarray(o) - r))) for r, o in zip(reference, outputs))
    if noise == 0:
        return float("inf")
    return 10 * np.log10(signal / noise) if signal > 0 else float("-inf")


def as_list(y) -> list[np.ndarray]:
    """``hh.predict``'s result as a list of arrays."""
    return list(y) if isinstance(y, list) else [y]
