"""Locating the external tools hgq_hls drives: the ap_types headers and the C++ compiler."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

#: The PyPI package (and the path inside it) that ships the open-source Xilinx ap_types
#: headers (Apache-2.0).  Only the headers are used, so it is installed with --no-deps.
AP_TYPES_PACKAGE = "hls4ml==1.3.0"
_AP_TYPES_SUBDIR = ("templates", "vivado", "ap_types")


class ToolchainError(RuntimeError):
    """A tool or header hgq_hls needs is missing; the message says how to install it."""


def _has_ap_fixed(folder: Path) -> bool:
    return (folder / "ap_fixed.h").is_file()


def _from_package() -> Path | None:
    # find_spec does not import hls4ml (importing it needs its full dependency set)
    spec = importlib.util.find_spec("hls4ml")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location).joinpath(*_AP_TYPES_SUBDIR)
        if _has_ap_fixed(candidate):
            return candidate
    return None


def ap_types_include() -> Path:
    """The folder holding ``ap_fixed.h``, for ``g++ -I``.

    Looked up in order: the ``HGQ_HLS_AP_TYPES`` environment variable, ``$XILINX_HLS/include``
    (a Vitis HLS installation), then the pinned PyPI package :data:`AP_TYPES_PACKAGE`.
    """
    override = os.environ.get("HGQ_HLS_AP_TYPES")
    if override:
        folder = Path(override).expanduser()
        if not _has_ap_fixed(folder):
            raise ToolchainError(f"HGQ_HLS_AP_TYPES={override} does not contain ap_fixed.h")
        return folder
    xilinx = os.environ.get("XILINX_HLS")
    if xilinx and _has_ap_fixed(Path(xilinx) / "include"):
        return Path(xilinx) / "include"
    found = _from_package()
    if found is not None:
        return found
    raise ToolchainError(
        "the ap_fixed.h headers (Xilinx ap_types, Apache-2.0) were not found. Install them with\n"
        f"    pip install --no-deps {AP_TYPES_PACKAGE}\n"
        "(`make test` / `make demo` do this), or point HGQ_HLS_AP_TYPES at a folder holding "
        "ap_fixed.h, or set XILINX_HLS to a Vitis HLS installation."
    )


def cxx_compiler() -> str:
    """The C++ compiler used for C-simulation: ``$CXX`` or ``g++``."""
    name = os.environ.get("CXX", "g++")
    path = shutil.which(name)
    if path is None:
        raise ToolchainError(
            f"C++ compiler {name!r} not found; install it with `sudo apt-get install -y g++` "
            "(or set CXX)"
        )
    return path


def cache_dir() -> Path:
    """Where compiled artefacts are cached: ``$HGQ_HLS_CACHE`` or ``~/.cache/hgq_hls``."""
    folder = Path(os.environ.get("HGQ_HLS_CACHE") or Path.home() / ".cache" / "hgq_hls")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
