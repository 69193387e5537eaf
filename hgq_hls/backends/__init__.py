"""Backends: code generators that turn a typed Graph into firmware projects."""

from __future__ import annotations


def open_project(path):
    """The HLSProject or RTLProject written in ``path`` (told apart by its manifest)."""
    from .hls import HLSProject
    from .project_dir import read_marker
    from .verilog import RTLProject

    kind = read_marker(path).get("kind")
    classes = {"hls": HLSProject, "verilog": RTLProject}
    if kind not in classes:
        raise ValueError(f"{path}: unknown project kind {kind!r}")
    return classes[kind].open(path)
