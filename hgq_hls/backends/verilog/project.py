"""RTLProject: written Verilog, its Verilator simulation, verification and yosys synthesis."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from ... import __version__
from ...fixed import FixedType, from_mantissa, to_mantissa
from ...reference import predict as reference_predict
from ...verification import VerifyReport, compare, stimulus
from ..project_dir import read_marker
from . import sim


class RTLProject:
    """A Verilog project on disk (from :func:`write_verilog` or :meth:`open`)."""

    def __init__(self, path, manifest: dict, graph=None):
        self.path = Path(path).absolute()
        self.manifest = manifest
        self._graph = graph

    @classmethod
    def open(cls, path) -> "RTLProject":
        """Open a project written earlier."""
        manifest = read_marker(path)
        if manifest.get("kind") != "verilog":
            raise ValueError(f"{path} is a {manifest.get('kind')!r} project, not a Verilog project")
        return cls(path, manifest)

    @property
    def name(self) -> str:
        """The top module's name."""
        return self.manifest["top"]

    @property
    def latency(self) -> int:
        """Cycles from a sample's ``ap_start`` to its ``ap_done``."""
        return self.manifest["latency"]

    @property
    def graph(self):
        """The graph the project was written from (the reference it must equal)."""
        if self._graph is None:
            if self.manifest.get("hgq_hls_version") != __version__:
                raise RuntimeError(f"{self.path} was written by hgq_hls {self.manifest.get('hgq_hls_version')}; "
                                   f"this is {__version__}: write the project again to verify it")
            self._graph = pickle.loads((self.path / self.manifest["graph"]).read_bytes())
        return self._graph

    def _mantissas(self, x) -> list[np.ndarray]:
        xs = list(x) if isinstance(x, (list, tuple)) else [x]
        ports = self.manifest["inputs"]
        if len(xs) != len(ports):
            raise ValueError(f"the design has {len(ports)} input(s), got {len(xs)}")
        out = []
        for port, arr in zip(ports, xs):
            arr = np.asarray(arr, dtype=np.float64)
            shape = tuple(port["shape"])
            if arr.shape == shape:
                arr = arr[None]
            if arr.shape[1:] != shape:
                raise ValueError(f"input {port['tensor']!r} expects shape (batch, *{shape}), got {arr.shape}")
            t = FixedType.from_ctype(port["ctype"])
            out.append(to_mantissa(arr, t, name=port["tensor"]).reshape(len(arr), -1))
        return out

    def simulate(self, x, progress: bool = False):
        """Outputs of the RTL for inputs ``x`` (batch first) by Verilator, as float64."""
        build_dir = sim.build(self.path, self.manifest, progress=progress)
        raw = sim.run(build_dir, self.manifest, self._mantissas(x))
        return self._floats(raw)

    def _floats(self, raw):
        outs = [from_mantissa(np.asarray(m).astype(np.int64) if p["width"] <= 62 else np.asarray(m), p["frac"])
                .reshape((len(m),) + tuple(p["shape"])) for m, p in zip(raw, self.manifest["outputs"])]
        return outs[0] if len(outs) == 1 else outs

    def verify(self, x=None, n: int = 2000, seed: int = 0, progress: bool = False) -> VerifyReport:
        """Compare the RTL simulation with ``hh.predict`` on ``x`` (or ``n`` generated samples)."""
        xs = x if x is not None else stimulus(self.graph, n, seed)
        xs = list(xs) if isinstance(xs, (list, tuple)) else [xs]
        got = self.simulate(xs, progress=progress)
        want = reference_predict(self.graph, xs if len(xs) > 1 else xs[0])
        as_list = lambda v: v if isinstance(v, list) else [v]  # noqa: E731
        return compare([p["tensor"] for p in self.manifest["outputs"]], as_list(got), as_list(want))

    def synthesize(self, family: str = "xcup", progress: bool = False):
        """yosys (yowasp 0.70) counts: LUT, FF, CARRY, DSP, depth per module and in total.

        Synthesized module by module in parallel and cached; ``report.without_dsp`` holds the
        same design with DSP inference off.  These are yosys figures, not Vivado's.
        """
        from .synth import synthesize

        return synthesize(self.path, self.manifest, family=family, progress=progress)

    def __repr__(self) -> str:
        return f"RTLProject({str(self.path)!r}, top={self.name!r}, latency={self.latency})"
