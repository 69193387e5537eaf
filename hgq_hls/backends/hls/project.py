"""HLSProject: a written Vitis HLS project, its C-simulation and its verification."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from ... import __version__
from ...fixed import from_mantissa
from ...reference import predict as reference_predict
from ...verification import VerifyReport, compare, stimulus
from ..project_dir import read_marker
from .csim import build_library, run_batch


class HLSProject:
    """A Vitis HLS project on disk (from :func:`write_hls` or :meth:`open`).

    ``compile()`` builds the C-simulation library, ``predict(x)`` runs it, ``verify(x)``
    compares it with ``hh.predict`` value by value.
    """

    def __init__(self, path, manifest: dict, graph=None):
        self.path = Path(path).absolute()
        self.manifest = manifest
        self._graph = graph
        self._library: Path | None = None

    @classmethod
    def open(cls, path) -> "HLSProject":
        """Open a project written earlier."""
        manifest = read_marker(path)
        if manifest.get("kind") != "hls":
            raise ValueError(f"{path} is a {manifest.get('kind')!r} project, not an HLS project")
        return cls(path, manifest)

    @property
    def name(self) -> str:
        """The top function's name."""
        return self.manifest["project"]

    @property
    def graph(self):
        """The graph the project was written from (the reference it must equal)."""
        if self._graph is None:
            if self.manifest.get("hgq_hls_version") != __version__:
                raise RuntimeError(f"{self.path} was written by hgq_hls {self.manifest.get('hgq_hls_version')}; "
                                   f"this is {__version__}: write the project again to verify it")
            self._graph = pickle.loads((self.path / self.manifest["graph"]).read_bytes())
        return self._graph

    def compile(self, progress: bool = False) -> Path:
        """Build (or fetch from the cache) the C-simulation library; returns its path."""
        for port in self.manifest["outputs"]:
            if port["width"] > 62:
                raise ValueError(f"output {port['tensor']!r} is {port['width']} bits wide; C-simulation "
                                 "reads outputs of at most 62 bits")
        self._library = build_library(self.path, self.name, progress=progress)
        return self._library

    def _inputs(self, x) -> list[np.ndarray]:
        xs = list(x) if isinstance(x, (list, tuple)) else [x]
        ports = self.manifest["inputs"]
        if len(xs) != len(ports):
            raise ValueError(f"the project has {len(ports)} input(s), got {len(xs)}")
        arrays = []
        for port, arr in zip(ports, xs):
            arr = np.asarray(arr, dtype=np.float64)
            shape = tuple(port["shape"])
            if arr.shape == shape:
                arr = arr[None]
            if arr.shape[1:] != shape:
                raise ValueError(f"input {port['tensor']!r} expects shape (batch, *{shape}), got {arr.shape}")
            arrays.append(arr)
        return arrays

    def predict(self, x, progress: bool = False):
        """C-simulation outputs for inputs ``x`` (batch first), as float64; a list if several."""
        if self._library is None:
            self.compile(progress=progress)
        xs = self._inputs(x)
        ports = self.manifest["outputs"]
        raw = run_batch(self._library, xs, [p["size"] for p in ports], progress=progress)
        outs = [from_mantissa(m, p["frac"]).reshape((len(m),) + tuple(p["shape"]))
                for m, p in zip(raw, ports)]
        return outs[0] if len(outs) == 1 else outs

    def verify(self, x=None, n: int = 10_000, seed: int = 0, progress: bool = False) -> VerifyReport:
        """Compare C-simulation with ``hh.predict`` on ``x`` (or ``n`` generated samples)."""
        xs = self._inputs(x) if x is not None else stimulus(self.graph, n, seed)
        got = self.predict(xs, progress=progress)
        want = reference_predict(self.graph, xs if len(xs) > 1 else xs[0])
        as_list = lambda v: v if isinstance(v, list) else [v]  # noqa: E731
        return compare([p["tensor"] for p in self.manifest["outputs"]], as_list(got), as_list(want))

    def __repr__(self) -> str:
        return f"HLSProject({str(self.path)!r}, top={self.name!r})"
