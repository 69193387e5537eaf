"""Errors a user sees when a model or an argument cannot be used.

Every failure hgq_hls reports on purpose is one of the classes here (or ``FileNotFoundError``
for a missing file, :class:`~hgq_hls.toolchain.ToolchainError` for a missing tool).  Anything
else escaping the public API is a bug; the fuzz test in ``tests/test_fuzz.py`` holds us to it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a model: where (node, op) and why."""

    node: str
    op: str
    reason: str

    def __str__(self) -> str:
        return f"node {self.node!r} ({self.op}): {self.reason}"


class UnsupportedModelError(ValueError):
    """A model uses something hgq_hls cannot compile; ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"the model cannot be compiled ({len(self.problems)} problem(s)):\n{lines}")


class ModelFileError(UnsupportedModelError):
    """The file is not an ONNX model at all (garbage, truncated, empty, text)."""

    def __init__(self, path, reason: str):
        self.problems = [Problem(str(path), "(file)", reason)]
        ValueError.__init__(self, f"{path} is not an ONNX model: {reason}")


class ProjectExistsError(FileExistsError):
    """An output path holds files that hgq_hls did not write (or the input model)."""


class InvalidGraphError(ValueError):
    """A Graph violates an invariant (the validator names each violation)."""


class ExactnessError(OverflowError):
    """A value needs more bits than the float64 at the API edge (or int64) holds exactly."""


class ArgumentError(ValueError, TypeError):
    """An argument of the public API (or a command-line flag) has a value it cannot take.

    ``keyword`` is the Python keyword; the command line maps it to its flag
    (:func:`hgq_hls.cli.main`), so each side names the spelling its user typed.
    """

    def __init__(self, keyword: str, message: str):
        self.keyword = keyword
        self.detail = message
        super().__init__(f"{keyword}: {message}")

    def for_flag(self, flag: str) -> str:
        """The message with the command-line flag in place of the Python keyword."""
        return f"{flag}: {self.detail}"
