"""Targets: a device's totals and its family's cost coefficients, read from ``targets/*.toml``.

Every coefficient is a table ``{value = ..., source = "..."}`` saying where it came from (tool,
version, how it was fitted), like XLS's delay-model files; ``Target.coefficient`` returns the
value and ``Target.sources`` lists the provenance for reports and docs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from ..errors import ArgumentError


def _read(name: str) -> dict:
    if not isinstance(name, str) or not name.replace("_", "").replace("-", "").isalnum():
        raise ArgumentError("target", f"{name!r} is not a target name; choose one of "
                            f"{', '.join(available_targets())}")
    path = resources.files("hgq_hls.estimate") / "targets" / f"{name}.toml"
    if not path.is_file():
        raise ArgumentError("target", f"unknown target {name!r}: choose one of "
                            f"{', '.join(available_targets())}")
    return tomllib.loads(path.read_text())


def available_targets() -> list[str]:
    """Names of the devices with a ``targets/<name>.toml`` (families and fits excluded)."""
    folder = resources.files("hgq_hls.estimate") / "targets"
    return sorted(p.name[:-5] for p in folder.iterdir()
                  if p.name.endswith(".toml") and "device" in tomllib.loads(p.read_text()))


@dataclass
class Target:
    """A device (``device`` totals) and the cost coefficients of its family, per backend."""

    name: str
    part: str
    family: str
    device: dict
    costs: dict = field(repr=False)       # backend -> group -> name -> {value, source}

    def coefficients(self, backend: str, group: str) -> dict[str, float]:
        """``{name: value}`` of one coefficient group (e.g. ``("verilog", "lut")``)."""
        return {k: v["value"] for k, v in self.costs[backend][group].items()}

    def coefficient(self, backend: str, group: str, name: str) -> float:
        """One coefficient's value."""
        return self.costs[backend][group][name]["value"]

    def sources(self, backend: str) -> dict[str, str]:
        """``{"group.name": source}`` for every coefficient of a backend."""
        out = {}
        for group, values in self.costs[backend].items():
            if isinstance(values, dict):
                out.update({f"{group}.{k}": v["source"] for k, v in values.items() if isinstance(v, dict)})
        return out

    def tool(self, backend: str, io: str = "parallel") -> str:
        """What the backend's coefficients describe (e.g. the yosys version they were fitted to);
        for ``io="stream"`` the io_stream model's own description."""
        return self.costs[backend]["describes" if io == "parallel" else f"describes_{io}"]


@lru_cache(maxsize=None)
def load_target(name: str) -> Target:
    """The target ``name`` (e.g. ``"xcvu9p"``) with its family's coefficients."""
    spec = _read(name)
    if "device" not in spec:
        raise ArgumentError("target", f"{name!r} is a coefficient file, not a device: choose one of "
                            f"{', '.join(available_targets())}")
    family = _read(spec["family"])
    costs = {}
    for backend, section in family.items():
        if not isinstance(section, dict):
            continue
        section = dict(section)
        if "fit" in section:                      # coefficients fitted by a script, in their own file
            section.update(_read(section.pop("fit")))
        costs[backend] = section
    return Target(name=spec["name"], part=spec["part"], family=spec["family"], device=spec["device"],
                  costs=costs)
