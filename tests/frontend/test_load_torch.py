"""``hh.load_torch``: a PyTorch module exported and imported in one call.

Oracles: torch's own forward pass (float modules: to float32 accuracy untyped, exactly when
weights and inputs lie on a grid the types hold), Brevitas's forward pass (its QONNX export,
bit for bit) and the forward pass of a module from ``hgq_hls.train`` (bit for bit).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import hgq_hls as hh

try:
    import torch
except ImportError as exc:  # a missing oracle is a failure with an install hint, never a skip
    raise ImportError(f"torch is needed for these tests: pip install -e '.[test]' ({exc})") from exc


class SmallCNN(torch.nn.Module):
    """Conv, BatchNorm, ReLU, MaxPool, global average pooling, Linear: a typical small CNN."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(4)
        self.pool = torch.nn.MaxPool2d(2)
        self.gap = torch.nn.AdaptiveAvgPool2d(1)
        self.fc = torch.nn.Linear(4, 3)

    def forward(self, x):
        h = self.pool(torch.relu(self.bn(self.conv(x))))
        return self.fc(self.gap(h).flatten(1))


@pytest.fixture(scope="module")
def cnn():
    torch.manual_seed(0)
    net = SmallCNN()
    net.train()
    with torch.no_grad():                      # BatchNorm statistics that are not 0 and 1
        net(torch.randn(32, 1, 6, 6) * 2 + 1)
    return net.eval()


@pytest.mark.parametrize("dynamo", [True, False], ids=["dynamo", "torchscript"])
def test_float_module_matches_torch(cnn, dynamo):
    x = torch.randn(64, 1, 6, 6)
    g = hh.load_torch(cnn, x[:2], dynamo=dynamo)
    with torch.no_grad():
        want = cnn(x).numpy()
    # an untyped import runs in float64; torch in float32
    np.testing.assert_allclose(hh.predict(g, x.numpy().astype(np.float64)), want, rtol=1e-5, atol=1e-5)


def test_grid_weights_and_integer_inputs_are_exact_with_auto_input_types():
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    with torch.no_grad():                      # weights and biases on a 2^-3 grid
        for p in net.parameters():
            p.copy_(torch.round(p * 8) / 8)
    x = torch.randint(-7, 8, (100, 5)).float()
    # the example input sizes the input type: integers in [-7, 7] need ap_fixed<4,4>
    g = hh.load_torch(net, x, input_type="auto", default_type="ap_fixed<24,12>")
    assert g.tensors[g.inputs[0]].type == hh.FixedType(True, 4, 4, "RND", "SAT")
    with torch.no_grad():
        want = net(x).numpy()                  # exact in float32: few bits on a 2^-6 grid
    assert_array_equal(hh.predict(g, x.numpy()), want)


def test_module_comes_back_in_its_training_mode(cnn):
    cnn.train()
    try:
        hh.load_torch(cnn, torch.zeros(1, 1, 6, 6), dynamo=False)
        assert cnn.training
    finally:
        cnn.eval()


def test_brevitas_module_is_exported_as_qonnx_and_bit_exact():
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFloat

    torch.manual_seed(2)
    net = torch.nn.Sequential(qnn.QuantIdentity(return_quant_tensor=True), qnn.QuantLinear(6, 8, bias=True),
                              qnn.QuantReLU(bit_width=4, return_quant_tensor=True),
                              qnn.QuantLinear(8, 3, bias=False, output_quant=Int8ActPerTensorFloat))
    net.train()
    with torch.no_grad():
        for _ in range(4):
            net(torch.randn(64, 6) * 2)
    net.eval()
    torch.set_num_threads(1)
    g = hh.load_torch(net, torch.randn(1, 6))
    assert g.is_typed
    x = torch.randn(1000, 6) * 2
    with torch.no_grad():
        want = net(x).numpy()
    assert_array_equal(hh.predict(g, x.numpy().astype(np.float64)).astype(np.float32), want)


def test_hgq_hls_train_module_keeps_its_per_element_types():
    import hgq_hls.train as ht

    torch.manual_seed(3)
    x = torch.rand(128, 8, dtype=torch.float64)
    qm = ht.quantize(torch.nn.Sequential(torch.nn.Linear(8, 6), torch.nn.ReLU(), torch.nn.Linear(6, 2)).double(),
                     x, f0=4)
    g = hh.load_torch(qm, x)
    with torch.no_grad():
        want = qm(x).numpy()
    assert_array_equal(hh.predict(g, x.numpy()), want)
    with pytest.raises(hh.ArgumentError, match="declares its own types"):
        hh.load_torch(qm, x, input_type="ap_fixed<8,3>")


class _Opaque(torch.nn.Module):
    def forward(self, x):
        if x.sum() > 0:            # control flow on data: torch.export cannot trace it
            return x
        return -x


@pytest.mark.parametrize("module, example, keyword, words", [
    ("not a module", torch.zeros(1, 2), "module", "expected a torch.nn.Module"),
    (torch.nn.Linear(2, 2), "x", "example_input", "pass tensors or arrays"),
    (torch.nn.Linear(2, 2), torch.tensor(1.0), "example_input", "no batch axis"),
    (_Opaque(), torch.zeros(1, 2), "module", "torch.onnx.export failed"),
])
def test_bad_arguments_are_named(module, example, keyword, words):
    with pytest.raises(hh.ArgumentError) as info:
        hh.load_torch(module, example)
    assert info.value.keyword == keyword and words in str(info.value), str(info.value)
