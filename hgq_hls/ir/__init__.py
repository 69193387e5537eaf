"""The IR: a typed dataflow graph of Nodes and Tensors."""

from .graph import Graph
from .node import Node
from .tensor import Tensor

__all__ = ["Graph", "Node", "Tensor"]
