"""hgq_hls: trained neural networks to bit-exact, per-tensor mixed-precision firmware."""

from .errors import InvalidGraphError, UnsupportedModelError
from .fixed import FixedType, Interval, quantize
from .frontend.onnx import load_onnx
from .ir import Graph, Node, Tensor
from .reference import predict

__version__ = "0.1.0.dev0"

__all__ = [
    "FixedType",
    "Interval",
    "quantize",
    "load_onnx",
    "predict",
    "Graph",
    "Node",
    "Tensor",
    "UnsupportedModelError",
    "InvalidGraphError",
    "__version__",
]
