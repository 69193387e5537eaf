"""The HLS layer plan of a Dense or Conv node, computed once and read by the HLS writer and
the HLS estimate: the C types of its operands, product and accumulator, the multiplications
that exist, where they are built, and how many are instantiated under a reuse factor.

The writer turns the plan into typedefs and pragmas (``BIND_OP``, ``ALLOCATION``); the
estimate costs the same numbers, so the two cannot count one thing twice and disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..fixed import ElementTypes, FixedType
from ..ir import Graph, Node
from .macs import mac_structure
from .multipliers import multiplier_impl, shared_multipliers
from .ports import entry_type

#: width-0 tensors (constant zero, e.g. pruned) are stored in this 1-bit type: it holds 0
ZERO_WIDTH_CTYPE = FixedType(False, 1, 1)


def c_fixed_type(t: FixedType) -> FixedType:
    """The type the C++ code declares for tensor type ``t`` (ap_fixed has no width 0)."""
    return ZERO_WIDTH_CTYPE if t.width == 0 else t


def product_type(a: FixedType, b: FixedType) -> FixedType:
    """The exact type C++ gives ``a * b`` for ap_fixed operands (widths and integer bits add)."""
    return FixedType(a.signed or b.signed, a.width + b.width, a.integer + b.integer)


def accumulator_type(g: Graph, node: Node) -> FixedType:
    """The exact type of a node's result before its output cast (precision inference's choice;
    the output type itself when the output is not a declared cast)."""
    return node.attrs.get("acc_type") or g.tensors[node.outputs[0]].type


@dataclass(frozen=True)
class MacPlan:
    """How one Dense/Conv layer is built in HLS."""

    input_type: FixedType        # type of the activation operand
    weight_type: FixedType       # type of the weights
    product_type: FixedType      # exact C++ type of one product (of the operands' C types)
    accumulator_type: FixedType  # exact sum before the output cast
    impl: str                    # "dsp" or "fabric" (BIND_OP)
    weights: np.ndarray          # weight mantissas
    copies: np.ndarray           # hardware copies of each weight's product
    terms: np.ndarray            # terms summed per output, the bias included
    multiplications: int         # products that exist (non-zero weights x uses)
    multipliers: int | None      # ALLOCATION limit under a reuse factor > 1, else None
    input_elements: ElementTypes | None = None   # the input's per-element types, if it has them


def mac_plan(g: Graph, node: Node, reuse_factor: int = 1) -> MacPlan:
    """The plan of Dense/Conv ``node`` at ``reuse_factor``."""
    x, x_t, w_t = g.tensors[node.inputs[0]], entry_type(g, node.inputs[0]), g.tensors[node.inputs[1]].type
    w, copies, terms = mac_structure(g, node)
    n_mult = int((copies * (w != 0)).sum())
    return MacPlan(input_type=x_t, weight_type=w_t,
                   product_type=product_type(c_fixed_type(x_t), c_fixed_type(w_t)),
                   accumulator_type=accumulator_type(g, node), impl=multiplier_impl(x_t, w_t),
                   weights=w, copies=copies, terms=terms + (len(node.inputs) > 2),
                   multiplications=n_mult,
                   multipliers=shared_multipliers(n_mult, reuse_factor) if reuse_factor > 1 else None,
                   input_elements=x.carried_elements)
