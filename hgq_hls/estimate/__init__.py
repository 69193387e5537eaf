"""Resource and latency estimation before synthesis: ``hh.estimate(g) -> Report``.

Per-op costs (:mod:`.verilog_cost` reads the emitted netlist, :mod:`.hls_cost` models Vitis
HLS), EBOPs as HGQ defines them (:mod:`.ebops`), coefficients with their provenance in
``targets/*.toml`` (:mod:`.target`).
"""

from .digits import effective_bits
from .ebops import node_ebops
from .estimator import BACKENDS, estimate
from ..lowering.multipliers import DSP_MIN_BITS, multiplier_impl, shared_multipliers
from .report import NodeEstimate, Report
from .target import Target, available_targets, load_target

__all__ = ["BACKENDS", "DSP_MIN_BITS", "NodeEstimate", "Report", "Target", "available_targets",
           "effective_bits", "estimate", "load_target", "multiplier_impl", "node_ebops", "shared_multipliers"]
