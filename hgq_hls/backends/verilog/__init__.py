"""The Verilog backend: lowering to an explicit-width netlist, Verilog writer, simulation, synthesis."""

from .project import RTLProject
from .sim import SimulationError
from .writer import write_verilog

__all__ = ["RTLProject", "SimulationError", "write_verilog"]
