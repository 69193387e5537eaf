"""The exporter registry: IR op -> the function writing it as ONNX/QONNX nodes."""

from ....registry import registrar

#: IR op -> fn(writer, node) emitting ONNX nodes whose last output is ``out``
EXPORT = {}


exporter = registrar(EXPORT, "the QONNX writer")
