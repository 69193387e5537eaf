"""HGQ's per-element fixed-point quantizer in PyTorch (Sun et al. 2024; HGQ2's ``kif`` form).

Each element has a sign bit ``k`` (0 or 1), integer bits ``i`` and fractional bits ``f``: its
type is ``k + i + f`` bits wide with ``k + i`` integer bits (hgq_hls counts the sign among the
integer bits), and an element with ``k + i + f <= 0`` is pruned (always 0).  ``f`` is trainable:
rounded with a straight-through estimator, and the HGQ surrogate gives the quantized value the
gradient ``d x_q / d f = -ln 2 * (x_q - x)``, while ``x`` passes straight through (and gets 0
outside a saturating range).  ``i`` and ``k`` are buffers set from data (:meth:`calibrate`).

The eval-mode forward is exact in float64 (``|x| * 2**f < 2**52``): it equals
``hgq_hls.fixed`` casting each element to :meth:`element_types`, for every rounding mode.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..fixed import ElementTypes
from ..fixed.modes import normalize_overflow, normalize_rounding


def round_fixed(v: torch.Tensor, rounding: str) -> torch.Tensor:
    """``v`` rounded to an integer by an ap_fixed rounding mode (exact for ``|v| < 2**52``)."""
    rounding = normalize_rounding(rounding)
    if rounding == "TRN":
        return torch.floor(v)
    if rounding == "TRN_ZERO":
        return torch.trunc(v)
    if rounding == "RND":                                    # ties up
        return torch.floor(v + 0.5)
    if rounding == "RND_MIN_INF":                            # ties down
        return torch.ceil(v - 0.5)
    if rounding == "RND_CONV":                               # ties to even
        return torch.round(v)
    if rounding == "RND_ZERO":                               # ties toward zero
        return torch.where(v >= 0, torch.ceil(v - 0.5), torch.floor(v + 0.5))
    return torch.where(v >= 0, torch.floor(v + 0.5), torch.ceil(v - 0.5))   # RND_INF: away


def shared_axes(x: torch.Tensor, param_shape) -> tuple:
    """The axes of data ``x`` (batch axes first, then a quantizer's shape) that share one type:
    the leading batch axes and every axis where the quantizer's shape is 1."""
    lead = x.dim() - len(param_shape)
    return tuple(range(lead)) + tuple(lead + a for a, d in enumerate(param_shape) if d == 1)


def _ste_round(p: torch.Tensor) -> torch.Tensor:
    """``round(p)`` forward (half to even), identity backward."""
    return p + (torch.round(p) - p).detach()


LN2 = math.log(2.0)


class _HGQQuantize(torch.autograd.Function):
    """HGQ's quantizer as one autograd node: the exact value, ``d/dx = 1`` inside the range
    (0 where it saturates or the element is pruned), ``d/df = -ln2 (x_q - clip(x))``.  One
    node instead of a chain of straight-through terms: several times faster per step."""

    @staticmethod
    def forward(ctx, x, f_raw, k, i_raw, rounding, overflow, training):
        f, i = torch.round(f_raw.detach()), torch.round(i_raw)
        lsb, top = torch.exp2(-f), torch.exp2(i)
        inside = torch.ones((), dtype=torch.bool)
        clipped = x
        if overflow in ("SAT", "SAT_SYM"):
            # saturating then rounding equals rounding then saturating: the bounds are on the grid
            hi = top - lsb
            # SAT_SYM clamps to -max..max, except a signed 1-bit type (ap_fixed keeps its min)
            sym = (k + i + f > 1) if overflow == "SAT_SYM" else torch.zeros_like(hi, dtype=torch.bool)
            lo = -k * torch.where(sym, hi, top)
            inside = (x >= lo) & (x <= hi)
            clipped = torch.minimum(torch.maximum(x, lo), hi)
        q = round_fixed(clipped * torch.exp2(f), rounding) * lsb
        if overflow == "WRAP" and not training:
            span = torch.exp2(i + k)
            q = torch.remainder(q + k * span / 2, span) - k * span / 2
        live = (k + i + f) > 0                                   # the parameters' shape: small
        delta = q - clipped
        if not bool(live.all()):
            q = torch.where(live, q, 0.0)
            delta = torch.where(live, delta, 0.0)
            inside = inside & live
        # a pruned element passes no gradient; a saturated one passes none to x (its delta is 0)
        ctx.save_for_backward(inside, delta)
        ctx.f_shape = f_raw.shape
        return q

    @staticmethod
    def backward(ctx, grad):
        passes, delta = ctx.saved_tensors
        grad_f = (grad * delta).sum_to_size(ctx.f_shape) * -LN2
        grad_x = grad if passes.dim() == 0 else grad * passes
        return grad_x, grad_f, None, None, None, None, None


class FixedQuantizer(torch.nn.Module):
    """A fixed-point type per element of a tensor of ``shape`` (per sample for activations).

    ``rounding`` is any ap_fixed mode; ``overflow`` is ``SAT``, ``SAT_SYM`` or ``WRAP`` (HGQ2's
    datalane default; WRAP is not applied while training, as in HGQ2).  ``f0``, ``i0``, ``k0``
    initialize every element.
    """

    def __init__(self, shape, f0: float = 6.0, i0: float = 2.0, k0: int = 1, rounding: str = "RND_CONV",
                 overflow: str = "SAT"):
        super().__init__()
        self.rounding, self.overflow = normalize_rounding(rounding), normalize_overflow(overflow)
        if self.overflow == "SAT_ZERO":
            raise ValueError("SAT_ZERO has no HGQ gradient; use SAT, SAT_SYM or WRAP")
        shape = tuple(shape)
        self.f = torch.nn.Parameter(torch.full(shape, float(f0), dtype=torch.float64))
        self.register_buffer("i", torch.full(shape, float(i0), dtype=torch.float64))
        self.register_buffer("k", torch.full(shape, float(k0), dtype=torch.float64))

    # ---- the types ----------------------------------------------------------------------
    def bits(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(k, i, f) as integers (f rounded with the straight-through estimator)."""
        return self.k, torch.round(self.i), _ste_round(self.f)

    def widths(self) -> torch.Tensor:
        """Each element's declared width ``k + i + f`` (0 when pruned), differentiable through f."""
        k, i, f = self.bits()
        return torch.relu(k + i + f)

    def frac(self) -> torch.Tensor:
        """Fractional bits (integers): the grid of the quantized values."""
        return torch.round(self.f).detach()

    def clip_bounds(self) -> None:
        """HGQ's ranges are the types' own: no clamp beyond them."""
        return None

    def element_types(self) -> ElementTypes:
        """Each element's hgq_hls type (width 0 where ``k + i + f <= 0``: pruned)."""
        k, i, f = (t.detach().cpu().numpy().astype(np.int64) for t in self.bits())
        width = k + i + f
        live = width > 0
        return ElementTypes(k.astype(bool) & live, np.where(live, width, 0), np.where(live, k + i, 0),
                            self.rounding, self.overflow)

    # ---- calibration ----------------------------------------------------------------------
    @torch.no_grad()
    def calibrate(self, x: torch.Tensor, signed: bool | None = None) -> None:
        """Set ``k`` and ``i`` from data: each element signed if a rounded value is negative,
        with the fewest integer bits holding every rounded value (pruned if never non-zero).

        ``x`` has the quantizer's shape plus leading batch axes; axes where the quantizer's
        shape is 1 share one type, so they are reduced too.  ``signed=True`` keeps the sign bit
        on every element (weights), instead of taking it from the data.
        """
        f = torch.round(self.f)
        q = round_fixed(x.to(torch.float64) * torch.exp2(f), self.rounding) * torch.exp2(-f)
        shared = shared_axes(q, self.f.shape)
        # the extremes first, then their logarithms (log2 is monotone and the grid is the same
        # along the shared axes): one log per type, not one per value
        top = q.amax(dim=shared, keepdim=True) if shared else q
        bottom = q.amin(dim=shared, keepdim=True) if shared else q
        lsb = torch.exp2(-f)
        # the top needs q <= 2**i - lsb; the bottom q >= -2**i (SAT, WRAP) or -(2**i - lsb) (SAT_SYM)
        slack = lsb if self.overflow == "SAT_SYM" else torch.zeros_like(lsb)
        never = torch.full_like(top, -math.inf)
        need = torch.maximum(torch.where(top > 0, torch.log2(torch.clamp(top, min=0) + lsb), never),
                             torch.where(bottom < 0, torch.log2(torch.clamp(-bottom, min=0) + slack), never))
        k = torch.ones_like(self.k) if signed else (bottom < 0).to(torch.float64).reshape(self.k.shape)
        i = torch.ceil(need).reshape(self.i.shape)
        self.k.copy_(k)
        self.i.copy_(torch.where(torch.isfinite(i), i, -f - k))       # never non-zero: width 0

    def initialize(self, x: torch.Tensor, signed: bool | None = None) -> None:
        """The first calibration (the same as every later one for HGQ)."""
        self.calibrate(x, signed)

    # ---- forward ----------------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _HGQQuantize.apply(x.to(torch.float64), self.f, self.k, self.i, self.rounding, self.overflow,
                                  self.training)

    def extra_repr(self) -> str:
        return f"shape={tuple(self.f.shape)}, rounding={self.rounding}, overflow={self.overflow}"
