"""``ht.calibrate``: signs and integer bits of every quantizer from data."""

from __future__ import annotations

import torch

from .layers import QConv, QLinear
from .quantizer import FixedQuantizer


@torch.no_grad()
def calibrate(qm: torch.nn.Module, x) -> torch.nn.Module:
    """Set each quantizer's ``k`` and ``i`` from ``x`` (a batch) in eval mode: weights and
    biases from their values (keeping their sign bit, as HGQ's ``kbi`` weights do), activations
    from what reaches them, in order, so each sees the quantized values before it.  Returns ``qm``."""
    for layer in qm.modules():
        if isinstance(layer, (QLinear, QConv)):
            for q, values in ((layer.weight_quantizer, layer.weight), (layer.bias_quantizer, layer.bias)):
                if q is not None:
                    q.calibrate(values, signed=True)
    hooks = [m.register_forward_pre_hook(lambda module, args: module.calibrate(args[0]))
             for m in qm.modules() if isinstance(m, FixedQuantizer)
             and not any(m is getattr(layer, "weight_quantizer", None) or m is getattr(layer, "bias_quantizer", None)
                         for layer in qm.modules())]
    training = qm.training
    try:
        qm.eval()
        qm(torch.as_tensor(x, dtype=torch.float64))
    finally:
        for h in hooks:
            h.remove()
        qm.train(training)
    return qm
