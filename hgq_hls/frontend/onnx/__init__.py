"""The ONNX / QONNX importer, and the QONNX writer (``save_qonnx``)."""

from .export import save_qonnx, to_qonnx
from .loader import build_graph, load_onnx

__all__ = ["load_onnx", "build_graph", "save_qonnx", "to_qonnx"]
