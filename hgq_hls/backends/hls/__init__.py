"""The Vitis HLS backend: project writer (templates/hls) and g++ C-simulation."""

from .csim import CompileError
from .project import HLSProject
from .writer import write_hls

__all__ = ["CompileError", "HLSProject", "write_hls"]
