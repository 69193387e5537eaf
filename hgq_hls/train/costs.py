"""Costs of a quantized module by the compiler's own formulas, differentiable.

* :func:`ebops` is exactly what ``hh.estimate(ht.to_graph(qm)).ebops`` reports: each product
  counts its input element's width times the weight's effective bits (from its highest to its
  lowest set bit, ``hgq_hls.estimate.ebops``).  Effective bits are piecewise constant, so the
  gradient comes from HGQ's surrogate ``sum(bits_x @ bits_w)`` with each weight's declared width
  (HGQ's ``k + i + f``, differentiable through ``f``; DQ's ``ceil(log2(q_max/d + 1)) + k``):
  value exact, gradient useful.
* :func:`memory` is Uhlich et al.'s memory of weights (their constraint 8a), of all
  activations (8b) or of the largest activation (8c), in bits.
* :class:`LutSurrogate` is the estimator's LUT count, differentiable: each layer's and
  quantizer's LUTs (``hh.estimate``, measured when refreshed) scale with its EBOPs or its
  widths, so between refreshes it moves as the estimate would to first order.
"""

from __future__ import annotations

import numpy as np
import torch

from ..estimate import effective_bits as estimator_effective_bits
from ..estimate import estimate
from .export import to_graph
from .layers import QUANTIZERS, QConv, QLinear

#: the memory measures of :func:`memory` (Uhlich et al.'s constraints 8a, 8b, 8c)
MEMORY_KINDS = ("weight_bits", "activation_bits", "peak_activation_bits")


def effective_bits(values: torch.Tensor, frac: torch.Tensor) -> torch.Tensor:
    """HGQ's b_w of each quantized value on the grid ``2**-frac`` (0 for 0), counted by the
    estimator's own function."""
    m = torch.round(torch.abs(values.detach()) * torch.exp2(frac.detach())).to(torch.int64)
    return torch.from_numpy(estimator_effective_bits(m.numpy()).astype(np.float64))


def layer_inputs(qm: torch.nn.Module) -> list[tuple]:
    """Each weighted layer as ``(node name, layer, the quantizer feeding it, per-sample input
    shape)`` (``ht.quantize`` puts a quantizer on every such input)."""
    pairs = []
    for node in qm.graph.nodes:
        if node.op == "call_module" and isinstance(qm.get_submodule(node.target), (QLinear, QConv)):
            source = node.args[0]
            pairs.append((node.name, qm.get_submodule(node.target), qm.get_submodule(source.target),
                          tuple(source.meta["tensor_meta"].shape[1:])))
    return pairs


def activation_quantizers(qm: torch.nn.Module) -> list[tuple]:
    """Each activation quantizer as ``(node name, quantizer, per-sample shape)``."""
    return [(node.name, qm.get_submodule(node.target), tuple(node.meta["tensor_meta"].shape[1:]))
            for node in qm.graph.nodes
            if node.op == "call_module" and isinstance(qm.get_submodule(node.target), QUANTIZERS)]


def _products(layer, bits_x: torch.Tensor, bits_w: torch.Tensor) -> torch.Tensor:
    """sum over every product of ``bits_x * bits_w``: a Linear's matrix product, a Conv's
    convolution of the bit maps (padding reads 0 bits: padded taps multiply nothing)."""
    if isinstance(layer, QConv):
        return layer.convolve(bits_x[None], bits_w).sum()
    return (bits_x @ bits_w.T).sum()


def layer_ebops(qm: torch.nn.Module, exact: bool = True) -> dict[str, torch.Tensor]:
    """EBOPs of each weighted layer, by its node name (``exact=False``: the surrogate's value,
    same gradient; a training step needs only the gradient, and skips quantizing the weights
    again and counting their bits)."""
    costs = {}
    for name, layer, source, shape in layer_inputs(qm):
        bits_x = torch.broadcast_to(source.widths(), shape)
        surrogate = _products(layer, bits_x, torch.broadcast_to(layer.weight_quantizer.widths(), layer.weight.shape))
        if not exact:
            costs[name] = surrogate
            continue
        w_frac = torch.broadcast_to(layer.weight_quantizer.frac(), layer.weight.shape)
        value = _products(layer, bits_x.detach(), effective_bits(layer.quantized_weight(), w_frac))
        costs[name] = value + (surrogate - surrogate.detach())
    return costs


def ebops(qm: torch.nn.Module, exact: bool = True) -> torch.Tensor:
    """EBOPs of every weighted layer (a scalar tensor): the compiler's value, HGQ's gradient
    (``exact=False``: the surrogate's value, for training steps)."""
    return sum(layer_ebops(qm, exact).values(), torch.zeros((), dtype=torch.float64))


def _total_width(q, shape) -> torch.Tensor:
    return torch.broadcast_to(q.widths(), shape).sum()


def memory(qm: torch.nn.Module, kind: str = "weight_bits") -> torch.Tensor:
    """Uhlich et al.'s memory in bits (differentiable through the widths): ``"weight_bits"``
    every weight and bias element's width (8a), ``"activation_bits"`` every activation
    element's (8b), ``"peak_activation_bits"`` the largest activation tensor's (8c)."""
    if kind == "weight_bits":
        total = torch.zeros((), dtype=torch.float64)
        for _, layer, _, _ in layer_inputs(qm):
            total = total + _total_width(layer.weight_quantizer, layer.weight.shape)
            if layer.bias is not None:
                total = total + _total_width(layer.bias_quantizer, layer.bias.shape)
        return total
    sizes = [_total_width(q, shape) for _, q, shape in activation_quantizers(qm)]
    if kind == "activation_bits":
        return torch.stack(sizes).sum()
    if kind == "peak_activation_bits":
        return torch.stack(sizes).max()
    raise ValueError(f"memory kind {kind!r}: choose one of {MEMORY_KINDS}")


class LutSurrogate:
    """The estimator's LUT count of a quantized module, differentiable.

    :meth:`refresh` runs ``hh.estimate(ht.to_graph(qm), backend)`` and records each weighted
    layer's LUTs per EBOP and each activation quantizer's LUTs per bit of width; calling the
    surrogate returns those rates times the current EBOPs and widths plus the other nodes'
    LUTs: the estimate itself right after a refresh, its first-order motion after.
    """

    def __init__(self, qm: torch.nn.Module, backend: str = "verilog"):
        self.backend = backend
        self.refresh(qm)

    def refresh(self, qm: torch.nn.Module) -> int:
        """Measure the estimate again; returns its LUT count."""
        report = estimate(to_graph(qm), backend=self.backend)
        lut = {n.node: n.lut for n in report.nodes}
        # to_graph names a node after the fx node; a clamped DQ quantizer adds "<name>_type"
        node_lut = {name: lut.get(name, 0.0) + lut.get(f"{name}_type", 0.0) for name in
                    [n for n, *_ in layer_inputs(qm)] + [n for n, *_ in activation_quantizers(qm)]}
        with torch.no_grad():
            eb = {name: float(v) for name, v in layer_ebops(qm).items()}
            widths = {name: float(_total_width(q, shape)) for name, q, shape in activation_quantizers(qm)}
        self.per_ebop = {name: node_lut[name] / v for name, v in eb.items() if v > 0}
        self.per_bit = {name: node_lut[name] / v for name, v in widths.items() if v > 0}
        modelled = sum(node_lut[n] for n in list(self.per_ebop) + list(self.per_bit))
        self.fixed = report.total("lut") - modelled
        return report.lut

    def __call__(self, qm: torch.nn.Module, exact: bool = True) -> torch.Tensor:
        """The LUT estimate (``exact=False``: with the surrogate's EBOPs, the same gradient)."""
        total = torch.full((), float(self.fixed), dtype=torch.float64)
        for name, cost in layer_ebops(qm, exact).items():
            total = total + self.per_ebop.get(name, 0.0) * cost
        for name, q, shape in activation_quantizers(qm):
            total = total + self.per_bit.get(name, 0.0) * _total_width(q, shape)
        return total


__all__ = ["LutSurrogate", "MEMORY_KINDS", "ebops", "effective_bits", "layer_ebops", "layer_inputs",
           "memory"]
