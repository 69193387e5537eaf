"""Uhlich et al.'s learned step size and dynamic range ("DQ", ICLR 2020, case U3) in PyTorch.

A quantizer holds a step ``d`` (a power of two, so the values are fixed-point) and a maximum
``q_max`` (a multiple of ``d``) per tensor or channel, and computes

    Q(x) = clip(d * round(x / d), lo, q_max)     round: ties away from zero (nnabla's Round)

with ``lo = -q_max`` for signed values and ``0`` for unsigned ones (the sign, like HGQ's ``k``,
comes from data).  The bit width follows, ``b = ceil(log2(q_max / d + 1)) + k`` (the paper's
formula; its ReLU activations drop the sign bit).  U3's gradients are bounded and decoupled:
inside the range ``dQ/dd = (Q - x) / d``, ``dQ/dq_max = 0``, ``dQ/dx = 1``; outside
``dQ/dd = 0``, ``dQ/dq_max = sign(x)``, ``dQ/dx = 0``.  Both are trained as base-2 logarithms
(``log2_d``, ``log2_qmax``) so that Adam's steps are relative; the power-of-two and multiple-of-d
constraints are rounded in the forward with a straight-through estimator (paper §2.2).

In hgq_hls terms each element has the type ``k + (b - k)`` bits with ``-log2 d`` fractional bits,
rounding RND_INF, SAT_SYM (signed) or SAT (unsigned); when ``q_max`` is not the top of that type
a ``Clip`` at ``±q_max`` follows (:meth:`clip_bounds`), which ``ht.to_graph`` writes.
"""

from __future__ import annotations

import numpy as np
import torch

from ..fixed import ElementTypes
from .quantizer import round_fixed, shared_axes

#: Uhlich's Round: std::round, ties away from zero; QONNX HALF_UP, ap_fixed AP_RND_INF
ROUNDING = "RND_INF"


def _ste(value: torch.Tensor, rounded: torch.Tensor) -> torch.Tensor:
    """``rounded`` forward, the gradient of ``value`` backward."""
    return value + (rounded - value).detach()


class StepQuantizer(torch.nn.Module):
    """Uhlich's U3 quantizer over a tensor of ``shape`` (1 on axes that share a step and range).

    ``bits`` is the initial width; :meth:`initialize` sets ``q_max`` to the data's largest
    magnitude and ``d`` to the power of two that spends ``bits`` on it (paper §2.2).
    """

    rounding = ROUNDING

    def __init__(self, shape, bits: int = 8, k0: int = 1):
        super().__init__()
        shape = tuple(shape)
        self.initial_bits = int(bits)
        self.log2_d = torch.nn.Parameter(torch.full(shape, -float(bits - 2), dtype=torch.float64))
        self.log2_qmax = torch.nn.Parameter(torch.zeros(shape, dtype=torch.float64))
        self.register_buffer("k", torch.full(shape, float(k0), dtype=torch.float64))

    @property
    def overflow(self) -> str:
        """SAT_SYM when every element is signed (its range is ±q_max), else SAT."""
        return "SAT_SYM" if bool((self.k > 0).all()) else "SAT"

    # ---- step, range and width --------------------------------------------------------------
    def step(self) -> torch.Tensor:
        """``d`` rounded to a power of two (straight-through)."""
        return torch.exp2(_ste(self.log2_d, torch.round(self.log2_d)))

    def levels(self) -> torch.Tensor:
        """``q_max / d`` rounded to an integer ``n >= 1`` (the positive levels).  Uhlich's
        quantizer never prunes: a step beyond the range leaves ``{-d, 0, d}``, so a budget
        cannot silence a channel for good (its step would get no gradient back)."""
        return torch.clamp(torch.round(torch.exp2(self.log2_qmax - torch.round(self.log2_d))), min=1).detach()

    def q_max(self) -> torch.Tensor:
        """``q_max`` rounded to a multiple of the step (straight-through to ``log2_qmax``)."""
        return _ste(torch.exp2(self.log2_qmax), self.levels() * self.step().detach())

    def widths(self) -> torch.Tensor:
        """Each element's width ``ceil(log2(n + 1)) + k`` (never 0: DQ does not prune),
        differentiable through the unrounded ``log2(q_max / d + 1)`` with respect to the step."""
        exact = torch.ceil(torch.log2(self.levels() + 1)) + self.k
        # the cost reaches the step only (as HGQ's reaches f): a budget coarsens values and
        # leaves the range to the task loss, instead of clipping weights until they stop learning
        smooth = torch.log2(torch.exp2(self.log2_qmax.detach() - self.log2_d) + 1) + self.k
        return _ste(smooth, exact)

    def frac(self) -> torch.Tensor:
        """Fractional bits ``-log2 d`` (integers)."""
        return -torch.round(self.log2_d).detach()

    def element_types(self) -> ElementTypes:
        """Each element's hgq_hls type: ``widths()`` bits on the ``d`` grid."""
        width = self.widths().detach().numpy().astype(np.int64)
        frac = self.frac().numpy().astype(np.int64)
        return ElementTypes(self.k.numpy().astype(bool), width, width - frac, ROUNDING, self.overflow)

    def clip_bounds(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``(lo, hi)`` when some element's ``q_max`` lies inside its type's range, else None."""
        n, k = self.levels().numpy(), self.k.numpy()
        top = np.exp2(self.widths().detach().numpy() - k) - 1
        # SAT (some element unsigned) lets a signed element reach -(top + 1) d: clip it too
        inside = (n != top) | ((k > 0) & (self.overflow == "SAT"))
        if not np.any(inside):
            return None
        hi = (self.levels() * self.step()).detach().numpy()
        return -self.k.numpy() * hi, hi

    # ---- data ---------------------------------------------------------------------------------
    def _reduce(self, x: torch.Tensor, fn) -> torch.Tensor:
        shared = shared_axes(x, self.log2_d.shape)
        return fn(x, dim=shared, keepdim=True).reshape(self.log2_d.shape) if shared else x

    @torch.no_grad()
    def initialize(self, x: torch.Tensor, signed: bool | None = None) -> None:
        """``q_max`` = the largest magnitude in ``x``, ``d`` the power of two with ``bits`` on it."""
        self.calibrate(x, signed)
        peak = self._reduce(torch.abs(x.to(torch.float64)), torch.amax).clamp(min=2.0 ** -24)
        levels = 2.0 ** (self.initial_bits - self.k) - 1
        self.log2_qmax.copy_(torch.log2(peak))
        self.log2_d.copy_(torch.ceil(torch.log2(peak / levels)))

    @torch.no_grad()
    def calibrate(self, x: torch.Tensor, signed: bool | None = None) -> None:
        """Each element signed if some value in ``x`` is negative (``signed=True``: always);
        the range stays learned."""
        negative = self._reduce(x.to(torch.float64) < 0, torch.any)
        self.k.copy_(torch.ones_like(self.k) if signed else negative.to(torch.float64))

    # ---- forward --------------------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.to(torch.float64)
        d, hi = self.step(), self.q_max()
        lo = -self.k * hi
        inside = (x >= lo) & (x <= hi)
        q = round_fixed((x / d).detach(), ROUNDING) * d.detach()
        # inside: value q, dQ/dx = 1, dQ/dd = (q - x) / d (through d's straight-through estimator)
        rounded = q + (x - x.detach()) + ((q - x) / d).detach() * (d - d.detach())
        # outside: value ±q_max, dQ/dq_max = sign(x) (0 at an unsigned bottom)
        return torch.where(inside, rounded, torch.where(x > hi, hi, lo))

    def extra_repr(self) -> str:
        return f"shape={tuple(self.log2_d.shape)}, U3 (d, q_max), rounding={ROUNDING}"


__all__ = ["ROUNDING", "StepQuantizer"]
