"""Resource estimation.  Today: the one DSP-or-fabric rule the HLS writer and estimator share."""

from .multipliers import DSP_MIN_BITS, multiplier_impl

__all__ = ["DSP_MIN_BITS", "multiplier_impl"]
