"""What every written project shares: its manifest, its reference graph, input checks, verify."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from ..version import __version__
from ..fixed import elements_from_float, from_mantissa
from ..fixed.division import divide_cast_float
from ..inputs import as_input_arrays, positive_int
from ..reference import predict as reference_predict
from ..verification import VerifyReport, compare, stimulus
from .project_dir import read_marker


def as_list(value) -> list:
    """One output or several, as a list."""
    return value if isinstance(value, list) else [value]


class Project:
    """A project directory written by a backend; subclasses run the firmware."""

    #: the manifest's ``kind`` this class opens
    kind = ""

    def __init__(self, path, manifest: dict, graph=None):
        self.path = Path(path).absolute()
        self.manifest = manifest
        self._graph = graph

    @classmethod
    def open(cls, path):
        """Open a project written earlier."""
        manifest = read_marker(path)
        if manifest.get("kind") != cls.kind:
            raise ValueError(f"{path} is a {manifest.get('kind')!r} project, not a {cls.kind!r} project")
        return cls(path, manifest)

    @property
    def name(self) -> str:
        """The top function or module's name."""
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

    def input_arrays(self, x) -> list[np.ndarray]:
        """``x`` (one array or a list) as float64 arrays of shape (batch, *port shape)."""
        ports = self.manifest["inputs"]
        return as_input_arrays(x, [p["tensor"] for p in ports], [p["shape"] for p in ports])

    def run(self, xs: list[np.ndarray], progress: bool = False):
        """The firmware's outputs for checked inputs (a subclass runs its simulator)."""
        raise NotImplementedError

    def at_ports(self, xs: list[np.ndarray]) -> list[np.ndarray]:
        """Inputs as the ports take them: an input read by a per-element quantizer is
        converted here, each element to its own type, and one read by a Requantize is
        divided and rounded here (exact; the firmware then only moves it)."""
        out = []
        for x, port in zip(xs, self.manifest["inputs"]):
            tensor = self.graph.tensors[port["tensor"]]
            types, divisor = getattr(tensor, "entry_elements", None), getattr(tensor, "entry_divisor", None)
            if divisor is not None:
                x = from_mantissa(divide_cast_float(x, divisor, tensor.entry_type), tensor.entry_type.frac)
            elif types is not None:
                x = from_mantissa(*elements_from_float(x, types))
            out.append(x)
        return out

    def verify(self, x=None, n: int = 10_000, seed: int = 0, progress: bool = False) -> VerifyReport:
        """Compare the firmware with ``hh.predict`` on ``x`` (or ``n`` generated samples).

        Reports, per output, how many values differ and the first differing sample/index.
        """
        xs = self.input_arrays(x) if x is not None else stimulus(self.graph, positive_int(n, "n"), seed)
        got = self.run(xs, progress=progress)
        want = reference_predict(self.graph, xs if len(xs) > 1 else xs[0])
        return compare([p["tensor"] for p in self.manifest["outputs"]], as_list(got), as_list(want))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r}, top={self.name!r})"
