"""The bit-exact NumPy reference executor."""

from .executor import predict, run

__all__ = ["predict", "run"]
