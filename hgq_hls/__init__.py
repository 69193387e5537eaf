"""hgq_hls: trained neural networks to bit-exact, per-tensor mixed-precision firmware."""

from .fixed import FixedType, quantize

__version__ = "0.1.0.dev0"

__all__ = ["FixedType", "quantize", "__version__"]
