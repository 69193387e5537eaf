"""Layers with quantized weights and biases (Linear, Conv1d, Conv2d), and the quantizer choice.

``quantizer_factory(method, ...)`` makes the quantizer of one place (input/activation, weight,
bias): HGQ's per-element :class:`~hgq_hls.train.quantizer.FixedQuantizer` or Uhlich's
:class:`~hgq_hls.train.dq.StepQuantizer`.  Both offer ``widths()``, ``frac()``,
``element_types()``, ``clip_bounds()``, ``calibrate()`` and ``initialize()``, which is all the
costs, calibration and export read.
"""

from __future__ import annotations

from typing import Callable

import torch

from .dq import StepQuantizer
from .quantizer import FixedQuantizer

#: a granularity names which axes of a quantized tensor share one type
GRANULARITIES = ("element", "channel", "tensor")
METHODS = ("hgq", "dq")
#: every quantizer kind ``ht.quantize`` inserts
QUANTIZERS = (FixedQuantizer, StepQuantizer)


def quantizer_shape(shape: tuple, granularity: str, channel_axis: int = 0) -> tuple:
    """The shape of a quantizer's parameters for a tensor of ``shape``: every element its own
    type, one per channel (along ``channel_axis``), or one for the tensor."""
    if granularity == "element":
        return tuple(shape)
    if granularity == "channel":
        return tuple(d if a == channel_axis % len(shape) else 1 for a, d in enumerate(shape))
    if granularity == "tensor":
        return (1,) * len(shape)
    raise ValueError(f"granularity {granularity!r}: choose one of {GRANULARITIES}")


def quantizer_factory(method: str, f0: float = 6.0, bits: int = 8, rounding: str = "RND_CONV",
                      activation_overflow: str = "SAT") -> Callable[[tuple, str], torch.nn.Module]:
    """``make(shape, place)`` for ``place`` in ``"weight"``, ``"bias"``, ``"activation"``.

    HGQ: ``f0`` fractional bits to start, weights and biases SAT_SYM (HGQ2's default; a
    non-zero SAT_SYM element has at least 2 bits, which QONNX can spell), activations
    ``activation_overflow``.  DQ: ``bits`` to start, rounding RND_INF (Uhlich's).
    """
    def make(shape, place):
        if method == "dq":
            return StepQuantizer(shape, bits=bits)
        overflow = activation_overflow if place == "activation" else "SAT_SYM"
        return FixedQuantizer(shape, f0=f0, rounding=rounding, overflow=overflow)
    return make


class _Quantized(torch.nn.Module):
    """A layer whose weight and bias pass through their own quantizers."""

    def __init__(self, linear, granularity: str = "element", make=None):
        super().__init__()
        make = make or quantizer_factory("hgq")
        self.weight = torch.nn.Parameter(linear.weight.detach().to(torch.float64).clone())
        self.bias = None if linear.bias is None else \
            torch.nn.Parameter(linear.bias.detach().to(torch.float64).clone())
        self.weight_quantizer = make(quantizer_shape(self.weight.shape, granularity), "weight")
        self.bias_quantizer = None if self.bias is None else \
            make(quantizer_shape(self.bias.shape, granularity), "bias")

    def quantized_weight(self) -> torch.Tensor:
        """The weight as the hardware holds it."""
        return self.weight_quantizer(self.weight)

    def quantized_bias(self) -> torch.Tensor | None:
        """The bias as the hardware holds it (None without a bias)."""
        return None if self.bias is None else self.bias_quantizer(self.bias)


class QLinear(_Quantized):
    """``torch.nn.Linear`` with quantized weight and bias."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.linear(x, self.quantized_weight(), self.quantized_bias())


class QConv(_Quantized):
    """``torch.nn.Conv1d``/``Conv2d`` (zero padding) with quantized weight and bias."""

    def __init__(self, conv, granularity: str = "element", make=None):
        if conv.padding_mode != "zeros" or isinstance(conv.padding, str):
            raise ValueError("only numeric zero padding is supported (padding_mode='zeros', no 'same'/'valid')")
        super().__init__(conv, granularity, make)
        self.spatial = conv.weight.dim() - 2
        self.stride, self.padding = tuple(conv.stride), tuple(conv.padding)
        self.dilation, self.groups = tuple(conv.dilation), conv.groups

    def convolve(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        """``x`` convolved with ``weight`` by this layer's geometry (no bias)."""
        fn = torch.nn.functional.conv1d if self.spatial == 1 else torch.nn.functional.conv2d
        return fn(x, weight, None, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.convolve(x, self.quantized_weight())
        bias = self.quantized_bias()
        return y if bias is None else y + bias.reshape((1, -1) + (1,) * self.spatial)
