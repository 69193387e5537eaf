"""RTLProject: written Verilog, its Verilator simulation and its yosys synthesis."""

from __future__ import annotations

import numpy as np

from ...fixed import FixedType, from_mantissa, to_mantissa
from ..project import Project
from . import sim


class RTLProject(Project):
    """A Verilog project on disk (from :func:`write_verilog` or :meth:`open`)."""

    kind = "verilog"

    @property
    def latency(self) -> int:
        """Cycles from a sample's ``ap_start`` to its ``ap_done``."""
        return self.manifest["latency"]

    def _mantissas(self, xs) -> list[np.ndarray]:
        """Checked float inputs as the integer mantissas the ports take."""
        return [to_mantissa(arr, FixedType.from_ctype(port["ctype"]), name=port["tensor"]).reshape(len(arr), -1)
                for port, arr in zip(self.manifest["inputs"], self.at_ports(xs))]

    def run(self, xs, progress: bool = False):
        """Verilator outputs for checked inputs, as float64."""
        build_dir = sim.build(self.path, self.manifest, progress=progress)
        raw = sim.run(build_dir, self.manifest, self._mantissas(xs))
        outs = [from_mantissa(np.asarray(m).astype(np.int64) if p["width"] <= 62 else np.asarray(m), p["frac"])
                .reshape((len(m),) + tuple(p["shape"])) for m, p in zip(raw, self.manifest["outputs"])]
        return outs[0] if len(outs) == 1 else outs

    def simulate(self, x, progress: bool = False):
        """Outputs of the RTL for inputs ``x`` (batch first) by Verilator, as float64."""
        return self.run(self.input_arrays(x), progress=progress)

    def synthesize(self, family: str = "xcup", progress: bool = False, without_dsp: bool = True):
        """yosys (yowasp 0.70) counts: LUT, FF, CARRY, DSP, depth per module and in total.

        Synthesized module by module in parallel and cached; ``report.without_dsp`` holds the
        same design with DSP inference off (skipped with ``without_dsp=False``).  These are
        yosys figures, not Vivado's.
        """
        from .synth import synthesize

        return synthesize(self.path, self.manifest, family=family, progress=progress,
                          without_dsp=without_dsp)

    def __repr__(self) -> str:
        return f"RTLProject({str(self.path)!r}, top={self.name!r}, latency={self.latency})"
