"""``ht.ebops``: EBOPs of a quantized module by the compiler's own definition, differentiable.

The value is exactly what ``hh.estimate(ht.to_graph(qm)).ebops`` reports: each product counts
its input element's width times the weight's effective bits (from its highest to its lowest
set bit, ``hgq_hls.estimate.ebops``).  Effective bits are piecewise constant, so the gradient
comes from HGQ's surrogate ``sum(bits_x @ bits_w)`` with each weight's declared width
(``k + i + f``, differentiable through ``f``): value exact, gradient useful.
"""

from __future__ import annotations

import numpy as np
import torch

from ..estimate import effective_bits as estimator_effective_bits

from .layers import QConv, QLinear
from .quantizer import FixedQuantizer


def effective_bits(values: torch.Tensor, frac: torch.Tensor) -> torch.Tensor:
    """HGQ's b_w of each quantized value on the grid ``2**-frac`` (0 for 0), counted by the
    estimator's own function."""
    m = torch.round(torch.abs(values.detach()) * torch.exp2(frac.detach())).to(torch.int64)
    return torch.from_numpy(estimator_effective_bits(m.numpy()).astype(np.float64))


def _widths(q: FixedQuantizer) -> torch.Tensor:
    """Each element's declared width k + i + f (0 when pruned), differentiable through f."""
    k, i, f = q.bits()
    return torch.relu(k + i + f)


def layer_inputs(qm: torch.nn.Module) -> list[tuple]:
    """Each weighted layer with the quantizer feeding it and its per-sample input shape
    (``ht.quantize`` puts a quantizer on every such input)."""
    pairs = []
    for node in qm.graph.nodes:
        if node.op == "call_module" and isinstance(qm.get_submodule(node.target), (QLinear, QConv)):
            source = node.args[0]
            pairs.append((qm.get_submodule(node.target), qm.get_submodule(source.target),
                          tuple(source.meta["tensor_meta"].shape[1:])))
    return pairs


def _products(layer, bits_x: torch.Tensor, bits_w: torch.Tensor) -> torch.Tensor:
    """sum over every product of ``bits_x * bits_w``: a Linear's matrix product, a Conv's
    convolution of the bit maps (padding reads 0 bits: padded taps multiply nothing)."""
    if isinstance(layer, QConv):
        return layer.convolve(bits_x[None], bits_w).sum()
    return (bits_x @ bits_w.T).sum()


def ebops(qm: torch.nn.Module) -> torch.Tensor:
    """EBOPs of every weighted layer (a scalar tensor): the compiler's value, HGQ's gradient."""
    total = torch.zeros((), dtype=torch.float64)
    for layer, source, shape in layer_inputs(qm):
        bits_x = torch.broadcast_to(_widths(source), shape)
        w_frac = torch.broadcast_to(torch.round(layer.weight_quantizer.f), layer.weight.shape)
        exact = _products(layer, bits_x.detach(), effective_bits(layer.quantized_weight(), w_frac))
        surrogate = _products(layer, bits_x, torch.broadcast_to(_widths(layer.weight_quantizer), layer.weight.shape))
        total = total + exact + (surrogate - surrogate.detach())
    return total
