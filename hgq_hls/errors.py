"""Errors a user sees when a model cannot be compiled."""

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


class InvalidGraphError(ValueError):
    """A Graph violates an invariant (the validator names each violation)."""
