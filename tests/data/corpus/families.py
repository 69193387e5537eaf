"""The model families of the corpus test (tests/frontend/test_corpus.py), written the way their
users write them: Brevitas networks (FINN-style TFC and CNV, per-channel Conv1d, a residual block,
HardTanh and Sigmoid heads, and the shapes of the QONNX model zoo's jet tagger, UNSW-NB15 MLP,
keyword-spotting DS-CNN and ESPCN super-resolution) and float PyTorch modules (MLP, CNN with BatchNorm and global
pooling, residual, an attention block with LayerNorm, bilinear upsampling, GRU and LSTM).

Each builder returns ``(module, example input)``, deterministic (seeded), calibrated where
Brevitas learns scales or BatchNorm statistics.  Nothing is downloaded or stored: the test builds
the models, exports them (Brevitas's QONNX export, torch.onnx's exporters) and imports them.
"""

from __future__ import annotations

import torch


def _calibrated(net: torch.nn.Module, shape: tuple, batches: int = 6) -> torch.nn.Module:
    """A few training-mode passes (scales and BatchNorm statistics settle), then eval mode."""
    net.train()
    with torch.no_grad():
        for _ in range(batches):
            net(torch.randn(64, *shape) * 2)
    return net.eval()


def brevitas_tfc():
    """FINN's TFC shape, shrunk: 2-bit weights and activations, BatchNorm between quantizers."""
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFloat

    torch.manual_seed(10)
    layers = [qnn.QuantIdentity(return_quant_tensor=True)]
    for n_in, n_out in [(64, 32), (32, 32)]:
        layers += [qnn.QuantLinear(n_in, n_out, bias=False, weight_bit_width=2), torch.nn.BatchNorm1d(n_out),
                   qnn.QuantReLU(bit_width=2, return_quant_tensor=True)]
    layers.append(qnn.QuantLinear(32, 10, bias=False, weight_bit_width=2, output_quant=Int8ActPerTensorFloat))
    return _calibrated(torch.nn.Sequential(*layers), (64,)), torch.randn(1, 64)


def brevitas_cnv():
    """FINN's CNV shape, shrunk: two 3x3 convolutions with BatchNorm and 2-bit ReLUs, MaxPool, a classifier."""
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFloat

    torch.manual_seed(11)
    net = torch.nn.Sequential(
        qnn.QuantIdentity(return_quant_tensor=True),
        qnn.QuantConv2d(3, 8, 3, bias=False, weight_bit_width=2), torch.nn.BatchNorm2d(8),
        qnn.QuantReLU(bit_width=2, return_quant_tensor=True),
        qnn.QuantConv2d(8, 8, 3, bias=False, weight_bit_width=2), torch.nn.BatchNorm2d(8),
        qnn.QuantReLU(bit_width=2, return_quant_tensor=False),
        torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        qnn.QuantIdentity(return_quant_tensor=True),
        qnn.QuantLinear(8 * 3 * 3, 10, bias=False, weight_bit_width=2, output_quant=Int8ActPerTensorFloat))
    return _calibrated(net, (3, 10, 10)), torch.randn(1, 3, 10, 10)


def brevitas_conv1d_per_channel():
    """Per-channel float weight scales on 1-D convolutions (keyword spotting, jet tagging)."""
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFloat, Int8WeightPerChannelFloat

    torch.manual_seed(12)
    net = torch.nn.Sequential(
        qnn.QuantIdentity(return_quant_tensor=True),
        qnn.QuantConv1d(2, 4, 3, weight_quant=Int8WeightPerChannelFloat, bias=False),
        qnn.QuantReLU(bit_width=4, return_quant_tensor=True),
        qnn.QuantConv1d(4, 2, 3, weight_quant=Int8WeightPerChannelFloat, bias=False,
                        output_quant=Int8ActPerTensorFloat))
    return _calibrated(net, (2, 12)), torch.randn(1, 2, 12)


class BrevitasResidual(torch.nn.Module):
    """A residual block: a quantized convolution branch added to its quantized input."""

    def __init__(self):
        import brevitas.nn as qnn
        from brevitas.quant import Int8ActPerTensorFloat

        super().__init__()
        self.inp = qnn.QuantIdentity(return_quant_tensor=False)
        self.conv = qnn.QuantConv2d(2, 2, 3, padding=1, bias=True, return_quant_tensor=False)
        self.relu = qnn.QuantReLU(bit_width=4, return_quant_tensor=False)
        self.out = qnn.QuantIdentity(act_quant=Int8ActPerTensorFloat, return_quant_tensor=False)

    def forward(self, x):
        x = self.inp(x)
        return self.out(self.relu(self.conv(x)) + x)


def brevitas_residual():
    torch.manual_seed(13)
    return _calibrated(BrevitasResidual(), (2, 5, 5)), torch.randn(1, 2, 5, 5)


class BrevitasHeads(torch.nn.Module):
    """A HardTanh and a Sigmoid head on one quantized layer each (classifier and regression outputs)."""

    def __init__(self):
        import brevitas.nn as qnn

        super().__init__()
        self.inp = qnn.QuantIdentity(return_quant_tensor=True)
        self.fc1 = qnn.QuantLinear(6, 4, bias=True, return_quant_tensor=True)
        self.tanh = qnn.QuantHardTanh(bit_width=4, max_val=1.0, min_val=-1.0, return_quant_tensor=False)
        self.fc2 = qnn.QuantLinear(6, 3, bias=True, return_quant_tensor=True)
        self.sigmoid = qnn.QuantSigmoid(bit_width=6, return_quant_tensor=False)

    def forward(self, x):
        h = self.inp(x)
        return torch.cat([self.tanh(self.fc1(h)), self.sigmoid(self.fc2(h))], dim=1)


def brevitas_heads():
    torch.manual_seed(14)
    return _calibrated(BrevitasHeads(), (6,)), torch.randn(1, 6)


def brevitas_jet_tagger():
    """The QKeras/HGQ jet-tagging MLP (16-64-32-32-5) as Brevitas writes it: 6-bit weights and ReLUs."""
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFloat

    torch.manual_seed(15)
    layers = [qnn.QuantIdentity(bit_width=8, return_quant_tensor=True)]
    for n_in, n_out in [(16, 64), (64, 32), (32, 32)]:
        layers += [qnn.QuantLinear(n_in, n_out, bias=True, weight_bit_width=6),
                   qnn.QuantReLU(bit_width=6, return_quant_tensor=True)]
    layers.append(qnn.QuantLinear(32, 5, bias=True, weight_bit_width=6, output_quant=Int8ActPerTensorFloat))
    return _calibrated(torch.nn.Sequential(*layers), (16,)), torch.randn(1, 16)


def brevitas_unsw_nb15():
    """FINN's UNSW-NB15 intrusion-detection MLP, shrunk: 2-bit weights and activations with
    BatchNorm, one output score."""
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFloat

    torch.manual_seed(16)
    layers = [qnn.QuantIdentity(bit_width=2, return_quant_tensor=True)]
    for n_in, n_out in [(60, 32), (32, 32), (32, 32)]:
        layers += [qnn.QuantLinear(n_in, n_out, bias=True, weight_bit_width=2), torch.nn.BatchNorm1d(n_out),
                   torch.nn.Dropout(0.1), qnn.QuantReLU(bit_width=2, return_quant_tensor=True)]
    layers.append(qnn.QuantLinear(32, 1, bias=True, weight_bit_width=2, output_quant=Int8ActPerTensorFloat))
    return _calibrated(torch.nn.Sequential(*layers), (60,)), torch.randn(1, 60)


def brevitas_kws_dscnn():
    """A keyword-spotting DS-CNN (MLPerf Tiny's shape, shrunk): a strided convolution, a depthwise
    separable block (3x3 depthwise, 1x1 pointwise) with BatchNorms, average pooling, a classifier."""
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFloat

    torch.manual_seed(17)
    net = torch.nn.Sequential(
        qnn.QuantIdentity(return_quant_tensor=True),
        qnn.QuantConv2d(1, 8, 3, stride=2, padding=1, bias=False, weight_bit_width=4), torch.nn.BatchNorm2d(8),
        qnn.QuantReLU(bit_width=4, return_quant_tensor=True),
        qnn.QuantConv2d(8, 8, 3, padding=1, groups=8, bias=False, weight_bit_width=4), torch.nn.BatchNorm2d(8),
        qnn.QuantReLU(bit_width=4, return_quant_tensor=True),
        qnn.QuantConv2d(8, 8, 1, bias=False, weight_bit_width=4), torch.nn.BatchNorm2d(8),
        qnn.QuantReLU(bit_width=4, return_quant_tensor=False),
        torch.nn.AvgPool2d(4), torch.nn.Flatten(),      # 16 positions: the mean is exact in float32
        qnn.QuantIdentity(return_quant_tensor=True),
        qnn.QuantLinear(8, 4, bias=True, weight_bit_width=4, output_quant=Int8ActPerTensorFloat))
    return _calibrated(net, (1, 8, 8)), torch.randn(1, 1, 8, 8)


def brevitas_espcn():
    """ESPCN super-resolution (the QONNX model zoo's), shrunk: convolutions to r^2 channels, then a
    PixelShuffle (DepthToSpace) by r = 2."""
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFloat

    torch.manual_seed(18)
    net = torch.nn.Sequential(
        qnn.QuantIdentity(return_quant_tensor=True),
        qnn.QuantConv2d(1, 8, 5, padding=2, bias=True, weight_bit_width=4),
        qnn.QuantReLU(bit_width=4, return_quant_tensor=True),
        qnn.QuantConv2d(8, 4, 3, padding=1, bias=True, weight_bit_width=4, output_quant=Int8ActPerTensorFloat,
                        return_quant_tensor=False),
        torch.nn.PixelShuffle(2))
    return _calibrated(net, (1, 6, 6)), torch.randn(1, 1, 6, 6)


def torch_mlp():
    torch.manual_seed(20)
    net = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 16), torch.nn.ReLU(),
                              torch.nn.Linear(16, 5))
    return net.eval(), torch.randn(1, 16)


def torch_cnn():
    """Conv + BatchNorm + ReLU + MaxPool, a strided grouped convolution, global average pooling."""
    torch.manual_seed(21)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                              torch.nn.MaxPool2d(2), torch.nn.Conv2d(4, 8, 3, stride=2, groups=2), torch.nn.ReLU(),
                              torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(8, 3))
    return _calibrated(net, (1, 8, 8)), torch.randn(1, 1, 8, 8)


class TorchResidual(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 3, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(3, 3, 3, padding=1)

    def forward(self, x):
        return torch.relu(self.conv2(torch.relu(self.conv1(x))) + x)


def torch_residual():
    torch.manual_seed(22)
    return TorchResidual().eval(), torch.randn(1, 3, 6, 6)


class TorchAttentionBlock(torch.nn.Module):
    """One transformer block's core: LayerNorm, one attention head, a residual, an MLP."""

    def __init__(self, d: int = 8):
        super().__init__()
        self.norm = torch.nn.LayerNorm(d)
        self.q, self.k, self.v = (torch.nn.Linear(d, d, bias=False) for _ in range(3))
        self.mlp = torch.nn.Sequential(torch.nn.Linear(d, 16), torch.nn.ReLU(), torch.nn.Linear(16, d))

    def forward(self, x):
        h = self.norm(x)
        scores = self.q(h) @ self.k(h).transpose(-1, -2) / 8 ** 0.5
        x = x + torch.softmax(scores, dim=-1) @ self.v(h)
        return x + self.mlp(x)


def torch_attention():
    torch.manual_seed(23)
    return TorchAttentionBlock().eval(), torch.randn(1, 5, 8)


def torch_upsample():
    """A decoder step: bilinear upsampling by 2 between convolutions (super-resolution, U-Nets)."""
    torch.manual_seed(24)
    net = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3, padding=1), torch.nn.ReLU(),
                              torch.nn.Upsample(scale_factor=2, mode="bilinear"), torch.nn.Conv2d(4, 1, 3, padding=1))
    return net.eval(), torch.randn(1, 2, 4, 4)


class TorchSequence(torch.nn.Module):
    """A sequence classifier: a batch-first GRU feeding a bidirectional LSTM, read at the last step."""

    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(3, 5, batch_first=True)
        self.lstm = torch.nn.LSTM(5, 4, batch_first=True, bidirectional=True)
        self.fc = torch.nn.Linear(8, 2)

    def forward(self, x):
        y, _ = self.lstm(self.gru(x)[0])
        return self.fc(y[:, -1])


def torch_sequence():
    torch.manual_seed(25)
    return TorchSequence().eval(), torch.randn(1, 6, 3)


BREVITAS = {f.__name__: f for f in [brevitas_tfc, brevitas_cnv, brevitas_conv1d_per_channel, brevitas_residual,
                                    brevitas_heads, brevitas_jet_tagger, brevitas_unsw_nb15, brevitas_kws_dscnn,
                                    brevitas_espcn]}
TORCH = {f.__name__: f for f in [torch_mlp, torch_cnn, torch_residual, torch_attention, torch_upsample,
                                 torch_sequence]}
