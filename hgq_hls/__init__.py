"""hgq_hls: trained neural networks to bit-exact, per-tensor mixed-precision firmware."""

from .version import __version__
from .errors import ArgumentError, ExactnessError, InvalidGraphError, ModelFileError, ProjectExistsError, UnsupportedModelError
from .fixed import FixedType, Interval, quantize
from .frontend.onnx import load_onnx, save_qonnx
from .frontend.pytorch import load_torch
from .ir import Graph, Node, Tensor
from .reference import predict
from .backends.hls import HLSProject, write_hls
from .backends.verilog import RTLProject, write_verilog
from .estimate import Report, estimate
from .precision import PrecisionReport, auto_precision

__all__ = [
    "FixedType",
    "Interval",
    "quantize",
    "load_onnx",
    "load_torch",
    "save_qonnx",
    "predict",
    "write_hls",
    "HLSProject",
    "write_verilog",
    "RTLProject",
    "estimate",
    "auto_precision",
    "PrecisionReport",
    "Report",
    "Graph",
    "Node",
    "Tensor",
    "UnsupportedModelError",
    "InvalidGraphError",
    "ArgumentError",
    "ModelFileError",
    "ExactnessError",
    "ProjectExistsError",
    "__version__",
]
