"""HLSProject: a written Vitis HLS project and its g++ C-simulation."""

from __future__ import annotations

from pathlib import Path

from ...fixed import from_mantissa
from ..project import Project
from ..project_dir import edited_files
from .csim import build_library, run_batch


class HLSProject(Project):
    """A Vitis HLS project on disk (from :func:`write_hls` or :meth:`open`).

    ``compile()`` builds the C-simulation library, ``predict(x)`` runs it, ``verify(x)``
    compares it with ``hh.predict`` value by value.
    """

    kind = "hls"

    def __init__(self, path, manifest: dict, graph=None):
        super().__init__(path, manifest, graph)
        self._library: Path | None = None

    def compile(self, progress: bool = False) -> Path:
        """Build (or fetch from the cache) the C-simulation library; returns its path."""
        for port in self.manifest["outputs"]:
            if port["width"] > 62:
                raise ValueError(f"output {port['tensor']!r} is {port['width']} bits wide; C-simulation "
                                 "reads outputs of at most 62 bits")
        # untouched constants load from their mantissas (fast to compile); a weight header the
        # user edited is simulated as written: its typed literals are what synthesis reads
        edited = edited_files(self.path, "firmware/weights/")
        self._library = build_library(self.path, self.name, progress=progress, mantissa_constants=not edited)
        return self._library

    def run(self, xs, progress: bool = False):
        """C-simulation outputs for checked inputs (compiles first if needed)."""
        if self._library is None:
            self.compile(progress=progress)
        ports = self.manifest["outputs"]
        raw = run_batch(self._library, self.at_ports(xs), [p["size"] for p in ports], progress=progress)
        outs = [from_mantissa(m, p["frac"]).reshape((len(m),) + tuple(p["shape"])) for m, p in zip(raw, ports)]
        return outs[0] if len(outs) == 1 else outs

    def predict(self, x, progress: bool = False):
        """C-simulation outputs for inputs ``x`` (batch first), as float64; a list if several."""
        return self.run(self.input_arrays(x), progress=progress)
