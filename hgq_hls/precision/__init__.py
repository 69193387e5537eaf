"""Mixed-precision building blocks (issue 7, in progress): reverse-mode gradients of float
graphs for first-order sensitivities, and the integer program that picks one width per group."""

from .gradients import VJP, gradients
from .ilp import InfeasibleError, choose

__all__ = ["VJP", "InfeasibleError", "choose", "gradients"]
