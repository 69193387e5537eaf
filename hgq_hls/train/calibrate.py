"""``ht.calibrate``: signs and integer bits of every quantizer from data."""

from __future__ import annotations

import torch

from .layers import QUANTIZERS, QConv, QLinear


@torch.no_grad()
def calibrate(qm: torch.nn.Module, x, initialize: bool = False) -> torch.nn.Module:
    """Set each quantizer's sign and range from ``x`` (a batch) in eval mode: weights and
    biases from their values (keeping their sign bit, as HGQ's ``kbi`` weights do), activations
    from what reaches them, in order, so each sees the quantized values before it.  HGQ's
    integer bits follow the data every time; DQ's learned range is set from the data only when
    ``initialize`` (``ht.quantize`` does), its sign every time.  Returns ``qm``."""
    calibrated_output(qm, x, initialize)
    return qm


@torch.no_grad()
def calibrated_output(qm: torch.nn.Module, x, initialize: bool = False) -> torch.Tensor:
    """:func:`calibrate`, returning the calibrated eval-mode model's output on ``x`` (the pass
    that calibrates computes it: ``fit`` scores on it instead of running the data again)."""
    def fix(q, values, signed=None):
        (q.initialize if initialize else q.calibrate)(values, signed=signed)

    owned = set()
    for layer in qm.modules():
        if isinstance(layer, (QLinear, QConv)):
            for q, values in ((layer.weight_quantizer, layer.weight), (layer.bias_quantizer, layer.bias)):
                if q is not None:
                    fix(q, values, signed=True)
                    owned.add(id(q))
    hooks = [m.register_forward_pre_hook(lambda module, args: fix(module, args[0]))
             for m in qm.modules() if isinstance(m, QUANTIZERS) and id(m) not in owned]
    training = qm.training
    try:
        qm.eval()
        out = qm(torch.as_tensor(x, dtype=torch.float64))
    finally:
        for h in hooks:
            h.remove()
        qm.train(training)
    return out
