"""Quantization-aware training in PyTorch (issue 16, in steps): HGQ's per-element quantizer.

``import hgq_hls.train as ht`` needs PyTorch (``pip install -e '.[train]'``; the test setup
installs it).  So far: :class:`FixedQuantizer`, HGQ's per-element fixed-point quantizer with
trainable fractional bits, whose eval-mode forward equals :mod:`hgq_hls.fixed` exactly and
whose types are :class:`hgq_hls.fixed.ElementTypes`.
"""

try:
    import torch  # noqa: F401
except ImportError as exc:  # a missing extra is a clear error, not a silent skip
    raise ImportError("hgq_hls.train needs PyTorch: pip install -e '.[train]' "
                      "(torch==2.13.0, the CPU build)") from exc

from .quantizer import FixedQuantizer, round_fixed

__all__ = ["FixedQuantizer", "round_fixed"]
