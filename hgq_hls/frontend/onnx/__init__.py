"""The ONNX / QONNX importer."""

from .loader import build_graph, load_onnx

__all__ = ["load_onnx", "build_graph"]
