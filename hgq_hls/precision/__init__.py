"""Automatic mixed precision after training: ``hh.auto_precision(g_float, calib, budget=...)``.

Groups and types (:mod:`.groups`), float simulation and scores (:mod:`.simulate`), the
calibration-based Pareto search (:mod:`.pareto`), first-order sensitivities from reverse-mode
gradients of the IR (:mod:`.gradients`, :mod:`.first_order`) and the integer program
(:mod:`.ilp`).
"""

from .auto import METHODS, PrecisionReport, auto_precision
from .gradients import VJP, gradients
from .groups import Group, find_groups, typed_graph
from .ilp import InfeasibleError, choose

__all__ = ["METHODS", "VJP", "Group", "InfeasibleError", "PrecisionReport", "auto_precision", "choose",
           "find_groups", "gradients", "typed_graph"]
