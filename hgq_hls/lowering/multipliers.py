"""Where a multiplication is built: a DSP slice or fabric (LUTs).

One rule (and one for sharing them under a reuse factor), read both by the HLS writer (it emits ``#pragma HLS BIND_OP ... impl=dsp|fabric``)
and by the resource estimator, so the estimate and the generated hardware cannot disagree.

Provenance: hls4ml's DSP objective counts no DSP for a multiplication whose weight has fewer
than 9 bits (``hls4ml/optimization/dsp_aware_pruning/objectives/vivado_objectives.py``,
hls4ml 1.3.0), and UG901 calls multiplications of 4x4 bits and smaller "small".  Vitis HLS
documents no default threshold (UG1399, *BIND_OP*), which is why the choice is made explicit.
"""

from __future__ import annotations

from ..fixed import FixedType

#: a multiplication whose narrower operand has fewer bits than this is built in fabric
DSP_MIN_BITS = 9


def shared_multipliers(n_mult: int, reuse_factor: int) -> int:
    """Multipliers a layer of ``n_mult`` products instantiates when each is reused
    ``reuse_factor`` times (the HLS ``ALLOCATION`` limit; II = reuse_factor)."""
    return -(-n_mult // reuse_factor)


def multiplier_impl(a: FixedType, b: FixedType) -> str:
    """``"dsp"`` or ``"fabric"`` for a product of operands typed ``a`` and ``b``."""
    return "fabric" if min(a.width, b.width) < DSP_MIN_BITS else "dsp"
