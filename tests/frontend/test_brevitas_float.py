"""Brevitas models with its default float-scaled quantizers, exported to QONNX by Brevitas and
run by Brevitas itself: the oracle is Brevitas's forward pass (float32 outputs of exact codes).

``Int8ActPerTensorFloat``, ``Int8WeightPerTensorFloat`` / ``Int8WeightPerChannelFloat`` and
``Uint8ActPerTensorFloat`` learn float scales; a BatchNorm sits between the quantizers, as in
FINN-style models.  The same network with its BatchNorm folded into the weights is the cost
reference: the thresholds must cost no more than twice as much.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import hgq_hls as hh


def _torch():
    try:
        import torch
    except ImportError as exc:
        pytest.fail(f"torch is needed for this test: pip install -e '.[test]' ({exc})")
    return torch


torch = _torch()


def _brevitas():
    try:
        import brevitas.nn as qnn
        from brevitas.export import export_qonnx
        from brevitas.quant import Int8ActPerTensorFloat, Int8WeightPerChannelFloat
    except ImportError as exc:  # a missing oracle is a failure with an install hint
        pytest.fail(f"brevitas is needed for this test: pip install -e '.[test]' ({exc})")
    return qnn, export_qonnx, Int8ActPerTensorFloat, Int8WeightPerChannelFloat


def _net(cnn: bool, batchnorm: bool, per_channel: bool):
    qnn, _, out_quant, per_channel_quant = _brevitas()
    weight = dict(weight_quant=per_channel_quant) if per_channel else {}

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = qnn.QuantIdentity(return_quant_tensor=True)
            if cnn:
                self.l1 = qnn.QuantConv2d(2, 4, 3, padding=1, bias=not batchnorm, **weight)
                self.bn = torch.nn.BatchNorm2d(4) if batchnorm else torch.nn.Identity()
                self.l2 = qnn.QuantConv2d(4, 2, 3, bias=False, output_quant=out_quant, return_quant_tensor=False)
            else:
                self.l1 = qnn.QuantLinear(6, 8, bias=not batchnorm, **weight)
                self.bn = torch.nn.BatchNorm1d(8) if batchnorm else torch.nn.Identity()
                self.l2 = qnn.QuantLinear(8, 3, bias=False, output_quant=out_quant, return_quant_tensor=False)
            self.relu = qnn.QuantReLU(bit_width=4, return_quant_tensor=True)

        def forward(self, x):
            y = self.l2(self.relu(self.bn(self.l1(self.inp(x)))))
            return y.flatten(1)

    return Net()


def _trained(cnn: bool, batchnorm: bool, per_channel: bool, seed: int = 0):
    """The network after a few calibration batches (scales and BatchNorm statistics settle)."""
    torch.manual_seed(seed)
    net = _net(cnn, batchnorm, per_channel)
    shape = (64, 2, 5, 5) if cnn else (64, 6)
    net.train()
    with torch.no_grad():
        for _ in range(8):
            net(torch.randn(*shape) * 2)
    return net.eval()


def _export(net, cnn: bool, path):
    _, export_qonnx, _, _ = _brevitas()
    torch.set_num_threads(1)
    export_qonnx(net, torch.randn(1, 2, 5, 5) if cnn else torch.randn(1, 6), export_path=str(path))
    return path


def _folded(net, cnn: bool):
    """The same network with its BatchNorm folded into the first layer's float weights and bias."""
    folded = _net(cnn, batchnorm=False, per_channel=True)
    folded.load_state_dict({k: v for k, v in net.state_dict().items() if not k.startswith("bn.")}, strict=False)
    with torch.no_grad():
        bn = net.bn
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        shape = (-1,) + (1,) * (net.l1.weight.ndim - 1)
        folded.l1.weight.copy_(net.l1.weight * scale.reshape(shape))
        folded.l1.bias.copy_(bn.bias - bn.running_mean * scale)
    folded.train()
    with torch.no_grad():
        for _ in range(8):
            folded(torch.randn(64, 2, 5, 5) * 2 if cnn else torch.randn(64, 6) * 2)
    return folded.eval()


@pytest.fixture(scope="module", params=[(False, False), (False, True), (True, True)],
            ids=["mlp", "mlp-per-channel", "cnn-per-channel"])
def exported(request, tmp_path_factory):
    cnn, per_channel = request.param
    net = _trained(cnn, batchnorm=True, per_channel=per_channel)
    path = _export(net, cnn, tmp_path_factory.mktemp("brevitas") / "model.onnx")
    return net, cnn, hh.load_onnx(path)


def test_default_float_quantizers_equal_brevitas(exported):
    net, cnn, g = exported
    torch.manual_seed(1)
    x = torch.randn(400, 2, 5, 5) * 2 if cnn else torch.randn(2000, 6) * 2
    with torch.no_grad():
        want = net(x).numpy()
    got = hh.predict(g, x.numpy().astype(np.float64))
    # Brevitas's float32 outputs are the exact values rounded to float32
    assert_array_equal(got.astype(np.float32).reshape(want.shape), want)


def test_batchnorm_between_quantizers_costs_its_thresholds(exported, tmp_path):
    net, cnn, g = exported
    ops = [n.op for n in g.topological()]
    assert "Threshold" in ops and "Relu" not in ops
    folded = hh.load_onnx(_export(_folded(net, cnn), cnn, tmp_path / "folded.onnx"))
    ours, reference = hh.estimate(g).total("lut"), hh.estimate(folded).total("lut")
    print(f"estimate with BatchNorm between quantizers {ours:.0f} LUT, folded {reference:.0f} LUT")
    assert ours <= 2 * reference, (ours, reference)


def test_firmware_equals_brevitas_model(exported, tmp_path):
    """C-simulation (and for the MLPs Verilator) of the exported Brevitas model equals
    hh.predict, which equals Brevitas."""
    net, cnn, g = exported
    report = hh.write_hls(g, tmp_path / "hls").verify(n=300)
    assert report.ok, report
    if not cnn:          # the CNN's RTL is checked by the backend model thresholds_batchnorm_cnn
        report = hh.write_verilog(g, tmp_path / "rtl").verify(n=300)
        assert report.ok, report
